using DmpActors.Domain.Profiles;

namespace DmpActors.Domain.Segments.Evaluation;

/// <summary>Why a user is in a segment, or just left it.</summary>
/// <param name="Version">The segment version of the latest change.</param>
/// <param name="CurrentVersion">The version the node evaluates now; null when the segment is no longer defined.</param>
/// <param name="Cause">What decided the latest change: <c>event:&lt;id&gt;</c> or <c>evaluation:&lt;revision&gt;</c>.</param>
/// <param name="Rule">The rule's canonical text (current version), null when the segment is no longer defined.</param>
/// <param name="Explanation">The current rule's clause values on the profile as it stands, null when undefined.</param>
public sealed record SegmentExplanation(string SegmentId, bool Member, bool Shadow, int Version, int? CurrentVersion, DateTimeOffset Since,
    string ChangeId, string Cause, string? Rule, RuleExplanation? Explanation);

/// <summary>Explains each membership of a profile against a segment set (GET /v1/profiles/{id}/explain).</summary>
public static class SegmentExplainer
{
    /// <summary>The rules are evaluated at the profile's latest event time, as the entity evaluates them after an event
    /// (or at <paramref name="fallback"/> for a profile without events).</summary>
    public static IReadOnlyList<SegmentExplanation> Explain(UserProfile profile, SegmentSet set, DateTimeOffset fallback, IRuleInputs? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(set);
        var context = set.Compiler.CreateContext().Reset(profile, profile.LastSeen ?? fallback, inputs);
        return profile.Segments.Entries
            .OrderBy(m => m.Member ? 0 : 1).ThenByDescending(m => m.Since).ThenBy(m => m.SegmentId, StringComparer.Ordinal)
            .Select(m =>
            {
                var current = set.Find(m.SegmentId);
                return new SegmentExplanation(m.SegmentId, m.Member, m.Shadow, m.Version, current?.Version, m.Since, m.ChangeId,
                    m.Cause.ToString(), current?.Rule.Text, current?.Rule.Explain(context));
            })
            .ToArray();
    }
}
