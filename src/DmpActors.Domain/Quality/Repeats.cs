namespace DmpActors.Domain.Quality;

/// <summary>
/// A customer's history as the BG/NBD and Gamma-Gamma models see it, in days: orders on the same calendar day (UTC) are
/// one transaction; <see cref="X"/> counts the repeat transactions (after the first day), <see cref="Tx"/> is the time of
/// the last one since the first, <see cref="T"/> the time from the first to the cutoff, and <see cref="MeanValue"/> the
/// mean revenue of the repeat transactions (0 when there are none), as in Fader, Hardie and Lee.
/// </summary>
public sealed record Repeats(int X, double Tx, double T, double MeanValue)
{
    public static Repeats Of(IReadOnlyList<Order> orders, DateTimeOffset cutoff)
    {
        if (orders.Count == 0) throw new ArgumentException("a customer without orders has no repeat history", nameof(orders));
        var days = orders.GroupBy(o => o.At.UtcDateTime.Date).OrderBy(g => g.Key).Select(g => (Day: g.Key, Revenue: (double)g.Sum(o => o.Revenue))).ToList();
        var first = new DateTimeOffset(days[0].Day, TimeSpan.Zero);
        var x = days.Count - 1;
        var tx = (new DateTimeOffset(days[^1].Day, TimeSpan.Zero) - first).TotalDays;
        return new Repeats(x, tx, (cutoff - first).TotalDays, x == 0 ? 0 : days.Skip(1).Average(d => d.Revenue));
    }
}
