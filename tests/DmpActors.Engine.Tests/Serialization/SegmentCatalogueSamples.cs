using DmpActors.Domain.Segments;
using DmpActors.Engine.Segments;

namespace DmpActors.Engine.Tests.Serialization;

/// <summary>One of each segment catalogue message, for the serializer's round trip.</summary>
internal static class SegmentCatalogueSamples
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 9, 30, 0, TimeSpan.FromHours(1));
    private static readonly SegmentVersion V1 = new("buyers_30d", 1, "window.purchases.30d >= 2", false, At);
    private static readonly SegmentVersion Tombstone = new("lapsed", 2, "last_seen older than 30d", true, At, Deleted: true);

    public static object[] Messages =>
    [
        new PutSegment("buyers_30d", "window.purchases.30d >= 2", true),
        new SegmentPut(PutOutcome.Updated, V1),
        new DeleteSegment("lapsed"),
        new SegmentDeleted("lapsed", Tombstone),
        new SegmentDeleted("nothing", null),
        ListSegments.Instance,
        new GetSegment("buyers_30d"),
        new SegmentHistory("lapsed", [Tombstone with { Version = 1, Deleted = false }, Tombstone]),
        new CurrentSegments(7, [V1]),
        new SegmentCommandRefused("a segment id cannot be empty"),
        new SegmentVersionRecorded(Tombstone),
        new CatalogueSnapshot([V1, Tombstone]),
    ];

    /// <summary>A message that carries versions in a list (records compare lists by reference): what identifies it,
    /// and the versions; null for the others.</summary>
    public static (string Key, IReadOnlyList<SegmentVersion> Versions)? Lists(object message) => message switch
    {
        SegmentHistory h => (h.SegmentId, h.Versions),
        CurrentSegments c => (c.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Segments),
        CatalogueSnapshot s => ("", s.Versions),
        _ => null,
    };
}
