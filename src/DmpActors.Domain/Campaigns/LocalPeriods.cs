namespace DmpActors.Domain.Campaigns;

/// <summary>Calendar periods and wall-clock instants in a user's time zone, DST included.</summary>
public static class LocalPeriods
{
    /// <summary>The zone named by an IANA id (a user's <c>timezone</c> trait), UTC when absent or unknown.</summary>
    public static TimeZoneInfo Zone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return TimeZoneInfo.Utc;
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }

    /// <summary>The instant the local day or ISO week holding <paramref name="now"/> began.</summary>
    public static DateTimeOffset PeriodStart(DateTimeOffset now, TimeZoneInfo zone, CapPeriod period)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime.Date;
        if (period == CapPeriod.Week) local = local.AddDays(-(((int)local.DayOfWeek + 6) % 7));
        return ToInstant(local, zone);
    }

    /// <summary>
    /// The instant a local wall-clock time names. A time skipped by a spring-forward change means the first instant after
    /// the gap; a time that occurs twice (autumn) means its first occurrence.
    /// </summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
