using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Ingest;

namespace DmpActors.Faults.Tests.Support;

/// <summary>
/// What the engine must make of the acknowledged records, computed with the pure domain alone: each record is
/// parsed with <see cref="EventParser"/> and folded with <see cref="ProfileReducer"/> in partition order into
/// the profile of the id it is routed to. A record that does not parse must be dead-lettered with its code; one
/// whose application throws, with <c>apply_failed</c>.
/// </summary>
public sealed class ReferenceFold
{
    private readonly Dictionary<string, UserProfile> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _deadLetters = new(StringComparer.Ordinal);

    private ReferenceFold() { }

    /// <summary>Expected profile per routing id (user_id, else anonymous_id).</summary>
    public IReadOnlyDictionary<string, UserProfile> Profiles => _profiles;

    /// <summary>Expected dead letters: <c>dmp-source</c> → reason code.</summary>
    public IReadOnlyDictionary<string, string> DeadLetters => _deadLetters;

    /// <param name="now">The clock the engine parsed with (only the 24 h future check reads it).</param>
    public static ReferenceFold Of(IEnumerable<ProducedRecord> records, DateTimeOffset now, ProfileRules rules, long generation)
    {
        var fold = new ReferenceFold();
        foreach (var record in records.OrderBy(r => r.Partition).ThenBy(r => r.Offset))
        {
            var parsed = EventParser.Parse(record.Value, now);
            if (!parsed.IsValid)
            {
                fold._deadLetters[record.Source] = parsed.Rejection.Code;
                continue;
            }
            var e = parsed.Event!;
            var position = new EventPosition(record.Partition, record.Offset, generation);
            var profile = fold._profiles.GetValueOrDefault(e.EntityId) ?? UserProfile.Empty(e.EntityId);
            try
            {
                profile = ProfileReducer.Apply(profile, e, position, rules).Profile;
            }
            catch (Exception)
            {
                profile = ProfileReducer.Consume(profile, e, position);
                fold._deadLetters[record.Source] = DeadLetter.ApplyFailed;
            }
            fold._profiles[e.EntityId] = profile;
        }
        return fold;
    }

    public long EventsApplied(string id) => _profiles.GetValueOrDefault(id)?.EventsApplied ?? 0;
}
