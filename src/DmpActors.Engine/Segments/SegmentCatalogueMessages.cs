using DmpActors.Domain.Segments;
using DmpActors.Engine.Serialization;

namespace DmpActors.Engine.Segments;

/// <summary>Defines a segment (a new version unless the current one is the same). Answered by <see cref="SegmentPut"/>
/// or <see cref="SegmentCommandRefused"/>.</summary>
/// <param name="Rule">Rule text; the catalogue keeps its canonical form.</param>
public sealed record PutSegment(string SegmentId, string Rule, bool Shadow) : IWireMessage;

/// <param name="Current">The version current after the put (the existing one when unchanged).</param>
public sealed record SegmentPut(PutOutcome Outcome, SegmentVersion Current) : IWireMessage;

/// <summary>Deletes a segment (a tombstone version). Answered by <see cref="SegmentDeleted"/>.</summary>
public sealed record DeleteSegment(string SegmentId) : IWireMessage;

/// <param name="Tombstone">The version recorded, or null when the segment had no live definition.</param>
public sealed record SegmentDeleted(string SegmentId, SegmentVersion? Tombstone) : IWireMessage;

/// <summary>Asks for every live definition. Answered by <see cref="CurrentSegments"/>.</summary>
public sealed record ListSegments : IWireMessage
{
    public static readonly ListSegments Instance = new();
}

/// <summary>Asks for one segment's history. Answered by <see cref="SegmentHistory"/>.</summary>
public sealed record GetSegment(string SegmentId) : IWireMessage;

/// <param name="Versions">Oldest first, tombstones included; empty when the segment was never defined.</param>
public sealed record SegmentHistory(string SegmentId, IReadOnlyList<SegmentVersion> Versions) : IWireMessage;

/// <summary>The live definitions at a catalogue revision: the answer to <see cref="ListSegments"/>, and the value the
/// catalogue replicates to every node (a last-writer-wins register whose clock is the revision).</summary>
public sealed record CurrentSegments(long Revision, IReadOnlyList<SegmentVersion> Segments) : IWireMessage
{
    public static readonly CurrentSegments Empty = new(0, []);
}

/// <summary>The catalogue could not take a command (not a valid segment id or rule).</summary>
public sealed record SegmentCommandRefused(string Reason) : IWireMessage;

/// <summary>The catalogue's journal event: one version recorded.</summary>
public sealed record SegmentVersionRecorded(SegmentVersion Version) : IWireMessage;

/// <summary>The catalogue's snapshot: every version recorded, by segment then version.</summary>
public sealed record CatalogueSnapshot(IReadOnlyList<SegmentVersion> Versions) : IWireMessage;
