namespace DmpActors.Domain.Campaigns;

/// <summary>Whether an instant falls in a campaign's quiet hours in the user's local time, and when they end.</summary>
public static class QuietHoursWindow
{
    /// <summary>Null when <paramref name="now"/> is outside the quiet hours; otherwise the instant they end.</summary>
    public static DateTimeOffset? EndsAt(QuietHours quiet, DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        var time = TimeOnly.FromDateTime(local);
        var wraps = quiet.Start > quiet.End;
        var inside = wraps ? time >= quiet.Start || time < quiet.End : time >= quiet.Start && time < quiet.End;
        if (!inside) return null;
        // The end falls today unless the window wraps midnight and we are in its evening part.
        var endDay = wraps && time >= quiet.Start ? local.Date.AddDays(1) : local.Date;
        var end = LocalPeriods.ToInstant(endDay + quiet.End.ToTimeSpan(), zone);
        return end > now ? end : null;
    }
}
