using System.Globalization;
using System.CommandLine.Parsing;

namespace DmpActors.Cli.Common;

/// <summary>Human durations: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, combinations like <c>1h30m</c>; a bare number is seconds.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a duration is required (e.g. 30s, 5m, 1h30m)";
            return false;
        }

        var span = text.Trim().AsSpan();
        if (double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var bareSeconds))
            return Positive(TimeSpan.FromSeconds(bareSeconds), text, out value, out error);

        var total = TimeSpan.Zero;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.')) digits++;
            var units = digits;
            while (units < span.Length && char.IsAsciiLetter(span[units])) units++;
            if (digits == 0 || units == digits
                || !double.TryParse(span[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                error = $"'{text}' is not a duration (use e.g. 500ms, 30s, 5m, 1h30m)";
                return false;
            }
            var unit = span[digits..units];
            TimeSpan? part = unit switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => null,
            };
            if (part is null)
            {
                error = $"'{text}' has unknown unit '{unit}' (use ms, s, m or h)";
                return false;
            }
            total += part.Value;
            span = span[units..];
        }
        return Positive(total, text, out value, out error);
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>Adapter for System.CommandLine's <c>CustomParser</c>.</summary>
    public static TimeSpan? ParseArgument(ArgumentResult result)
    {
        if (result.Tokens.Count == 0) return null;
        if (TryParse(result.Tokens[0].Value, out var value, out var error)) return value;
        result.AddError(error);
        return null;
    }

    public static string Format(TimeSpan value) => value.TotalHours >= 1
        ? $"{(int)value.TotalHours}h{value.Minutes:D2}m{value.Seconds:D2}s"
        : value.TotalMinutes >= 1 ? $"{value.Minutes}m{value.Seconds:D2}s" : $"{value.TotalSeconds:0.0}s";

    private static bool Positive(TimeSpan total, string text, out TimeSpan value, out string error)
    {
        value = total;
        error = total > TimeSpan.Zero ? "" : $"'{text}' must be a positive duration";
        return total > TimeSpan.Zero;
    }
}
