using DmpActors.Domain.Events;

namespace DmpActors.Domain.Profiles;

/// <summary>
/// Arithmetic for profile counters and sums that stops at the type's bounds instead of throwing or wrapping. The
/// parser bounds each event's amounts (<see cref="EventLimits.MaxAmount"/>), but sums of sums (merges, replays of old
/// data, events built in code) are not bounded by it, and a profile must never become impossible to apply to.
/// </summary>
internal static class Saturating
{
    public static long Add(long a, long b)
    {
        var sum = unchecked(a + b);
        // Overflow happened when both operands have the same sign and the sum's sign differs.
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : sum;
    }

    public static long Subtract(long a, long b)
    {
        var difference = unchecked(a - b);
        return ((a ^ b) & (a ^ difference)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : difference;
    }

    public static int Add(int a, int b) => (int)Math.Clamp((long)a + b, int.MinValue, int.MaxValue);

    public static int Subtract(int a, int b) => (int)Math.Clamp((long)a - b, int.MinValue, int.MaxValue);

    public static decimal Add(decimal a, decimal b)
    {
        try
        {
            return a + b;
        }
        catch (OverflowException)
        {
            return a < 0 ? decimal.MinValue : decimal.MaxValue;
        }
    }

    public static decimal Subtract(decimal a, decimal b) => Add(a, -b);

    public static decimal Multiply(decimal a, int b)
    {
        try
        {
            return a * b;
        }
        catch (OverflowException)
        {
            return (a < 0) == (b < 0) ? decimal.MaxValue : decimal.MinValue;
        }
    }

    /// <summary>Σ price × quantity over the lines.</summary>
    public static decimal SumOf(IReadOnlyList<LineItem> items)
    {
        var sum = 0m;
        foreach (var item in items) sum = Add(sum, Multiply(item.Price, item.Quantity));
        return sum;
    }

    /// <summary>An amount in whole cents (half away from zero), clamped to the long range.</summary>
    public static long CentsOf(decimal amount)
    {
        const decimal largest = long.MaxValue / 100m;
        if (amount >= largest) return long.MaxValue;
        if (amount <= -largest) return long.MinValue;
        return (long)Math.Round(amount * 100m, MidpointRounding.AwayFromZero);
    }
}
