using DmpActors.Domain.Profiles;
using DmpActors.Domain.Profiles.Affinity;
using DmpActors.Domain.Profiles.Privacy;
using DmpActors.Domain.Profiles.Windows;
using DmpActors.Domain.Segments.Evaluation;

namespace DmpActors.Engine.Serialization;

/// <summary>
/// The binary part of a persisted profile: one section per feature module that keeps binary state, each written by
/// its own codec, in the order below after the JSON body (<see cref="ProfileCodec"/>). A section belongs to the format
/// version that introduced it and is read only from that version on; a module with new state adds a section at the
/// end, under a new format version. Never change the order or meaning of a field inside a section.
/// </summary>
internal static partial class ProfileSections
{
    /// <summary>Bounds on lengths read back, so a corrupt length cannot allocate gigabytes.</summary>
    private const int MaxItems = 1 << 16;

    private static readonly Section[] All =
    [
        new(WindowsModule.Instance.Name, Since: 2, WriteWindows, ReadWindows),
        new(AffinityModule.Instance.Name, Since: 2, WriteAffinity, ReadAffinity),
        new(ConsentModule.Instance.Name, Since: 2, WriteConsent, ReadConsent),
        new("dedupe", Since: 3, WriteDedupe, ReadDedupe), // the pipeline's own replay marks
        new(SegmentsModule.Instance.Name, Since: 4, WriteSegments, ReadSegments),
        new("timers", Since: 5, WriteTimers, ReadTimers), // the modules' timers, kept by the entity
    ];

    public static void Write(BinaryWriter w, UserProfile p)
    {
        foreach (var section in All) section.Write(w, p);
    }

    public static UserProfile Read(BinaryReader r, UserProfile p, byte version)
    {
        foreach (var section in All)
            if (section.Since <= version) p = section.Read(r, p);
        return p;
    }

    private static void WriteWindows(BinaryWriter w, UserProfile p)
    {
        var (watermark, words, spans, categories, campaigns, sessions, tooLate) = p.Windows.Parts;
        w.Write(watermark);
        WriteArray(w, words, w.Write);
        WriteArray(w, spans, w.Write);
        WriteArray(w, categories, w.Write);
        WriteArray(w, campaigns, w.Write);
        w.Write(sessions);
        w.Write(tooLate);
        WriteArray(w, p.Windows.Items.ExactEntries, w.Write);
        WriteArray(w, p.Windows.Items.SketchWords, w.Write);
    }

    private static UserProfile ReadWindows(BinaryReader r, UserProfile p)
    {
        var watermark = r.ReadInt64();
        var words = ReadArray(r, r.ReadUInt64);
        var spans = ReadArray(r, r.ReadInt64);
        var categories = ReadArray(r, r.ReadString);
        var campaigns = ReadArray(r, r.ReadString);
        var sessions = r.ReadInt64();
        var tooLate = r.ReadInt64();
        var items = DistinctItems.Restore(ReadArray(r, r.ReadUInt64), ReadArray(r, r.ReadUInt64));
        return p with { Windows = BehaviourWindows.Restore(watermark, words, spans, categories, campaigns, sessions, tooLate, items) };
    }

    private static void WriteAffinity(BinaryWriter w, UserProfile p)
    {
        WriteScores(w, p.CategoryAffinity);
        WriteScores(w, p.ItemAffinity);
    }

    private static UserProfile ReadAffinity(BinaryReader r, UserProfile p)
    {
        var categories = ReadScores(r);
        return p with { CategoryAffinity = categories, ItemAffinity = ReadScores(r) };
    }

    private static void WriteScores(BinaryWriter w, AffinityScores scores)
    {
        var (keys, logs) = scores.Parts;
        WriteArray(w, keys, w.Write);
        WriteArray(w, logs, w.Write);
    }

    private static AffinityScores ReadScores(BinaryReader r) => AffinityScores.Restore(ReadArray(r, r.ReadString), ReadArray(r, r.ReadDouble));

    /// <summary>The history only: the latest decision per purpose is in the JSON body.</summary>
    private static void WriteConsent(BinaryWriter w, UserProfile p) =>
        WriteArray(w, p.ConsentHistory.Decisions, d =>
        {
            w.Write(d.Purpose);
            w.Write(d.Granted);
            WriteTime(w, d.At);
        });

    private static UserProfile ReadConsent(BinaryReader r, UserProfile p)
    {
        var decisions = ReadArray(r, () =>
        {
            var purpose = r.ReadString();
            var granted = r.ReadBoolean();
            return new ConsentDecision(purpose, granted, ReadTime(r));
        });
        return p with { ConsentHistory = ConsentHistory.Restore(decisions) };
    }

    /// <summary>The dedupe window as event id hashes, oldest first (generation and offsets are in the JSON body).</summary>
    private static void WriteDedupe(BinaryWriter w, UserProfile p) => WriteArray(w, p.Dedupe.RecentEventIdHashes, w.Write);

    private static UserProfile ReadDedupe(BinaryReader r, UserProfile p) => p with
    {
        Dedupe = DedupeState.Restore(ReadArray(r, r.ReadUInt64), p.Dedupe.LogGeneration, p.Dedupe.HighestOffsetByPartition),
    };

    /// <summary>The set revision last evaluated in full, memberships (current and recently left), then the outbox of
    /// changes not yet published.</summary>
    private static void WriteSegments(BinaryWriter w, UserProfile p)
    {
        w.Write(p.Segments.Revision);
        WriteArray(w, p.Segments.Entries, m =>
        {
            w.Write(m.SegmentId);
            w.Write(m.Version);
            w.Write((byte)((m.Member ? 1 : 0) | (m.Shadow ? 2 : 0)));
            WriteTime(w, m.Since);
            w.Write(m.ChangeId);
            WriteCause(w, m.Cause);
        });
        WriteArray(w, p.Segments.Outbox, c =>
        {
            w.Write(c.ChangeId);
            w.Write(c.SegmentId);
            w.Write(c.Version);
            w.Write((byte)c.Kind);
            WriteCause(w, c.Cause);
            WriteTime(w, c.At);
        });
    }

    private static UserProfile ReadSegments(BinaryReader r, UserProfile p)
    {
        var revision = r.ReadInt64();
        var entries = ReadArray(r, () =>
        {
            var id = r.ReadString();
            var version = r.ReadInt32();
            var flags = r.ReadByte();
            return new SegmentMembership(id, version, (flags & 1) != 0, (flags & 2) != 0, ReadTime(r), r.ReadString(), ReadCause(r));
        });
        var outbox = ReadArray(r, () =>
        {
            var changeId = r.ReadString();
            var segment = r.ReadString();
            var version = r.ReadInt32();
            var kind = (SegmentChangeKind)r.ReadByte();
            var cause = ReadCause(r);
            return new SegmentChange(changeId, p.Id, segment, version, kind, cause, ReadTime(r));
        });
        return p with { Segments = new SegmentMemberships(entries, outbox, revision) };
    }

    private static void WriteCause(BinaryWriter w, SegmentCause cause)
    {
        w.Write((byte)cause.Kind);
        w.Write(cause.Id);
    }

    private static SegmentCause ReadCause(BinaryReader r)
    {
        var kind = (SegmentCauseKind)r.ReadByte();
        return new SegmentCause(kind, r.ReadString());
    }

    private static void WriteTime(BinaryWriter w, DateTimeOffset at)
    {
        w.Write(at.UtcTicks);
        w.Write((short)at.Offset.TotalMinutes);
    }

    private static DateTimeOffset ReadTime(BinaryReader r)
    {
        var ticks = r.ReadInt64();
        var offset = TimeSpan.FromMinutes(r.ReadInt16());
        return new DateTimeOffset(ticks + offset.Ticks, offset);
    }

    private static void WriteArray<T>(BinaryWriter w, IReadOnlyList<T> items, Action<T> write)
    {
        w.Write7BitEncodedInt(items.Count);
        foreach (var item in items) write(item);
    }

    private static T[] ReadArray<T>(BinaryReader r, Func<T> read)
    {
        var count = r.Read7BitEncodedInt();
        if (count is < 0 or > MaxItems) throw new FormatException($"profile array length {count} is out of range");
        var items = new T[count];
        for (var i = 0; i < count; i++) items[i] = read();
        return items;
    }

    /// <param name="Name">The module whose state it holds, or "dedupe" for the pipeline's own marks.</param>
    private sealed record Section(string Name, byte Since, Action<BinaryWriter, UserProfile> Write, Func<BinaryReader, UserProfile, UserProfile> Read);
}
