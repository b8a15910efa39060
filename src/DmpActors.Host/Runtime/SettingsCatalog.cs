using System.ComponentModel;
using System.Reflection;
using DmpActors.Engine.Hosting;
using DmpActors.Host.Demo;

namespace DmpActors.Host.Runtime;

/// <summary>One bindable key: its full path ("Dmp:Node:Port"), value type and default.</summary>
/// <param name="IsList">An array: configured as Key:0, Key:1, ...</param>
public sealed record Setting(string Key, Type Type, object? Default, bool IsList);

/// <summary>
/// Every "Dmp" setting the node binds, found by reflection over the typed options, so start-up can
/// name a key that does not exist (a typo) or does not convert, and docs and deploy files can be
/// checked against the same list.
/// </summary>
public static class SettingsCatalog
{
    public const string Root = DmpOptions.Section;

    /// <summary>Each options class and the configuration section it is bound from.</summary>
    public static readonly IReadOnlyList<(string Section, Type Type)> Sections =
    [
        (DmpOptions.Section, typeof(DmpOptions)),
        (DmpOptions.Section + ":Demo", typeof(DemoOptions)),
    ];

    public static IReadOnlyList<Setting> All { get; } =
        Sections.SelectMany(s => Walk(s.Section, s.Type, Activator.CreateInstance(s.Type)!)).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();

    private static readonly Dictionary<string, Setting> ByKey = All.ToDictionary(s => s.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>The setting a configuration key binds to (list items map to their list), or null when nothing binds it.</summary>
    public static Setting? Find(string key)
    {
        if (ByKey.TryGetValue(key, out var setting)) return setting;
        // Items of a list of objects are catalogued once, as Key:*:Field ("Dmp:Security:Keys:0:Name" is "Dmp:Security:Keys:*:Name").
        var segments = key.Split(':');
        for (var i = 0; i < segments.Length - 1; i++)
            if (int.TryParse(segments[i], out _) && ByKey.TryGetValue(string.Join(':', segments[..i]), out var objects) && objects.IsList && !IsScalar(objects.Type))
                segments[i] = ItemSegment;
        var normalized = string.Join(':', segments);
        if (ByKey.TryGetValue(normalized, out setting)) return setting;
        var colon = normalized.LastIndexOf(':');
        return colon > 0 && int.TryParse(normalized[(colon + 1)..], out _) && ByKey.TryGetValue(normalized[..colon], out var list) && list.IsList ? list : null;
    }

    /// <summary>Stands for an item's index in the keys of a list of objects.</summary>
    public const string ItemSegment = "*";

    /// <summary>"Dmp:Key: what is wrong" for every key under Dmp that is unknown or whose value does not convert.</summary>
    public static IReadOnlyList<string> Check(IConfiguration configuration) => Unusable(configuration).Select(u => u.Problem).ToList();

    /// <summary>The keys (as given) that are unknown or whose value does not convert, each with its "Dmp:Key: what is wrong".</summary>
    public static IReadOnlyList<(string Key, string Problem)> Unusable(IConfiguration configuration)
    {
        var unusable = new List<(string, string)>();
        foreach (var (key, value) in configuration.GetSection(Root).AsEnumerable())
        {
            if (value is null) continue;
            if (Find(key) is not { } setting)
                unusable.Add((key, $"{key}: unknown setting (misspelt? the keys are listed in docs/configuration.md)"));
            // An empty list in JSON ("SeedNodes": []) arrives as the list key with an empty value.
            else if (!(setting.IsList && value.Length == 0 && key.Equals(setting.Key, StringComparison.OrdinalIgnoreCase))
                     && ConversionError(setting.Type, value) is { } error)
                unusable.Add((key, $"{Canonical(setting, key)}: {error}"));
        }
        return unusable;
    }

    /// <summary>The setting's key as catalogued, with the item indices of the key as given in place of "*".</summary>
    private static string Canonical(Setting setting, string key)
    {
        var canonical = setting.Key.Split(':');
        var given = key.Split(':');
        for (var i = 0; i < canonical.Length && i < given.Length; i++)
            if (canonical[i] == ItemSegment) canonical[i] = given[i];
        return string.Join(':', canonical);
    }

    private static string? ConversionError(Type type, string value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string) || (value.Length == 0 && target != type)) return null;
        try
        {
            TypeDescriptor.GetConverter(target).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException or OverflowException)
        {
            return $"'{value}' is not {Describe(target)}";
        }
    }

    public static string Describe(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target switch
        {
            _ when target == typeof(bool) => "true or false",
            _ when target == typeof(TimeSpan) => "a duration like 00:00:30",
            _ when target == typeof(int) || target == typeof(long) => $"a whole number ({target.Name})",
            _ when target == typeof(double) || target == typeof(decimal) => "a number",
            _ when target.IsEnum => "one of " + string.Join(", ", Enum.GetNames(target)),
            _ => "a " + target.Name,
        };
    }

    private static IEnumerable<Setting> Walk(string prefix, Type type, object instance)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetSetMethod() is null || property.GetIndexParameters().Length > 0) continue;
            var key = $"{prefix}:{property.Name}";
            var value = property.GetValue(instance);
            var propertyType = property.PropertyType;
            if (IsScalar(propertyType))
                yield return new Setting(key, propertyType, value, IsList: false);
            else if (propertyType.IsArray && IsScalar(propertyType.GetElementType()!))
                yield return new Setting(key, propertyType.GetElementType()!, value, IsList: true);
            else if (propertyType.IsArray && propertyType.GetElementType()!.IsClass)
            {
                var item = propertyType.GetElementType()!;
                yield return new Setting(key, item, value, IsList: true);
                foreach (var field in Walk($"{key}:{ItemSegment}", item, Activator.CreateInstance(item)!))
                    yield return field;
            }
            else if (propertyType.IsClass)
                foreach (var nested in Walk(key, propertyType, value ?? Activator.CreateInstance(propertyType)!))
                    yield return nested;
        }
    }

    private static bool IsScalar(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target.IsPrimitive || target.IsEnum || target == typeof(string) || target == typeof(decimal)
            || target == typeof(TimeSpan) || target == typeof(DateTimeOffset) || target == typeof(Uri);
    }
}
