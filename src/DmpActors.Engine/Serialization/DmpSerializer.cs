using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Models;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Segments;

namespace DmpActors.Engine.Serialization;

/// <summary>
/// Serializer for every engine message that may cross nodes. Each type has an explicit manifest with
/// a version suffix; JSON bodies with snake_case names; profiles travel in their persisted format.
/// Akka's default (Newtonsoft) serializer is never used for our messages.
/// </summary>
public sealed class DmpSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 417_001;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private sealed record ProfileReplyV1(string UserId, byte[]? Profile, string? Isolated = null);
    private sealed record IdentityReplyV1(string UserId, byte[]? Profile, byte[]? Identity, DateTimeOffset? QuarantinedUntil);

    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(ApplyEvent)] = "apply-event.v2",
        [typeof(EventApplied)] = "event-applied.v2",
        [typeof(ApplyEvents)] = "apply-events.v1",
        [typeof(EventsApplied)] = "events-applied.v1",
        [typeof(FlushProfile)] = "flush-profile.v2",
        [typeof(ProfileFlushed)] = "profile-flushed.v1",
        [typeof(GetProfile)] = "get-profile.v1",
        [typeof(EvaluateSegments)] = "evaluate-segments.v1",
        [typeof(SegmentsEvaluated)] = "segments-evaluated.v1",
        [typeof(FireTimers)] = "fire-timers.v1",
        [typeof(TimersFired)] = "timers-fired.v1",
        [typeof(ProfileReply)] = "profile-reply.v1",
        [typeof(StopUser)] = "stop-user.v1",
        [typeof(LockForMerge)] = "lock-for-merge.v1",
        [typeof(EntityLocked)] = "entity-locked.v1",
        [typeof(LockRefused)] = "lock-refused.v1",
        [typeof(CommitLock)] = "commit-lock.v1",
        [typeof(ReleaseLock)] = "release-lock.v1",
        [typeof(EraseUser)] = "erase-user.v1",
        [typeof(UserErased)] = "user-erased.v1",
        [typeof(EnterQuarantine)] = "enter-quarantine.v1",
        [typeof(UnmergeUser)] = "unmerge-user.v1",
        [typeof(UnmergeResult)] = "unmerge-result.v1",
        [typeof(GetIdentity)] = "get-identity.v1",
        [typeof(IdentityReply)] = "identity-reply.v1",
        [typeof(GetBackfillProgress)] = "get-backfill-progress.v1",
        [typeof(BackfillProgress)] = "backfill-progress.v1",
        [typeof(Timers.PollTimers)] = "poll-timers.v1",
        [typeof(Timers.TimersPolled)] = "timers-polled.v1",
        [typeof(PutSegment)] = "put-segment.v1",
        [typeof(SegmentPut)] = "segment-put.v1",
        [typeof(DeleteSegment)] = "delete-segment.v1",
        [typeof(SegmentDeleted)] = "segment-deleted.v1",
        [typeof(ListSegments)] = "list-segments.v1",
        [typeof(GetSegment)] = "get-segment.v1",
        [typeof(SegmentHistory)] = "segment-history.v1",
        [typeof(CurrentSegments)] = "current-segments.v1",
        [typeof(SegmentCommandRefused)] = "segment-command-refused.v1",
        [typeof(SegmentVersionRecorded)] = "segment-version-recorded.v1",
        [typeof(CatalogueSnapshot)] = "catalogue-snapshot.v1",
        [typeof(ModelCatalogue)] = "model-catalogue.v1",
        [typeof(OfferSample)] = "offer-sample.v1",
        [typeof(OfferCtrRows)] = "offer-ctr-rows.v1",
        [typeof(RetrainModels)] = "retrain-models.v1",
        [typeof(RetrainAccepted)] = "retrain-accepted.v1",
        [typeof(PromoteModel)] = "promote-model.v1",
        [typeof(RollbackModel)] = "rollback-model.v1",
        [typeof(ModelCommandResult)] = "model-command-result.v1",
        [typeof(GetModelCatalogue)] = "get-model-catalogue.v1",
        [typeof(ModelVersionAdded)] = "model-version-added.v1",
        [typeof(ModelPromoted)] = "model-promoted.v1",
    };

    static DmpSerializer()
    {
        foreach (var (type, manifest) in Webhooks.WebhookWire.Manifests) Manifests.Add(type, manifest);
        foreach (var (type, manifest) in ModelWire.Manifests) Manifests.Add(type, manifest);
        foreach (var (type, manifest) in Campaigns.CampaignWire.Manifests) Manifests.Add(type, manifest);
    }

    public override int Identifier => Id;

    /// <summary>Every type this serializer owns (the round-trip test walks them all).</summary>
    public static IReadOnlyCollection<Type> Types => Manifests.Keys;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"DmpSerializer cannot serialize {o.GetType()}");

    public override byte[] ToBinary(object obj) => obj switch
    {
        ProfileReply reply => JsonSerializer.SerializeToUtf8Bytes(
            new ProfileReplyV1(reply.UserId, reply.Profile is null ? null : ProfileCodec.Encode(reply.Profile), reply.Isolated), Json),
        StopUser => [],
        IdentityReply reply => JsonSerializer.SerializeToUtf8Bytes(new IdentityReplyV1(reply.UserId,
            reply.Profile is null ? null : ProfileCodec.Encode(reply.Profile), IdentityCodec.Encode(reply.Identity), reply.QuarantinedUntil), Json),
        _ => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        "apply-event.v2" => Read<ApplyEvent>(bytes),
        "apply-event.v1" => Read<ApplyEvent>(bytes) with { PreviousOffset = -1 },
        "event-applied.v2" => Read<EventApplied>(bytes),
        "apply-events.v1" => Read<ApplyEvents>(bytes),
        "events-applied.v1" => Read<EventsApplied>(bytes),
        "flush-profile.v2" => Read<FlushProfile>(bytes),
        // v1 (before versions travelled): an unknown loaded version proves nothing, and a v1 flush can only be
        // satisfied by the incarnation that applied the events — exactly the v1 behaviour.
        "event-applied.v1" => Read<EventApplied>(bytes) with { LoadedVersion = -1 },
        "flush-profile.v1" => Read<FlushProfile>(bytes) with { Version = long.MaxValue },
        "profile-flushed.v1" => Read<ProfileFlushed>(bytes),
        "get-profile.v1" => Read<GetProfile>(bytes),
        "evaluate-segments.v1" => Read<EvaluateSegments>(bytes),
        "segments-evaluated.v1" => Read<SegmentsEvaluated>(bytes),
        "fire-timers.v1" => Read<FireTimers>(bytes),
        "timers-fired.v1" => Read<TimersFired>(bytes),
        "profile-reply.v1" => Read<ProfileReplyV1>(bytes) is var r
            ? new ProfileReply(r.UserId, r.Profile is null ? null : ProfileCodec.Decode(r.Profile), r.Isolated)
            : throw new InvalidOperationException(),
        "stop-user.v1" => StopUser.Instance,
        "lock-for-merge.v1" => Read<LockForMerge>(bytes),
        "entity-locked.v1" => Read<EntityLocked>(bytes),
        "lock-refused.v1" => Read<LockRefused>(bytes),
        "commit-lock.v1" => Read<CommitLock>(bytes),
        "release-lock.v1" => Read<ReleaseLock>(bytes),
        "erase-user.v1" => Read<EraseUser>(bytes),
        "user-erased.v1" => Read<UserErased>(bytes),
        "enter-quarantine.v1" => Read<EnterQuarantine>(bytes),
        "unmerge-user.v1" => Read<UnmergeUser>(bytes),
        "unmerge-result.v1" => Read<UnmergeResult>(bytes),
        "get-identity.v1" => Read<GetIdentity>(bytes),
        "identity-reply.v1" => Read<IdentityReplyV1>(bytes) is var i
            ? new IdentityReply(i.UserId, i.Profile is null ? null : ProfileCodec.Decode(i.Profile), IdentityCodec.Decode(i.Identity), i.QuarantinedUntil)
            : throw new InvalidOperationException(),
        "model-catalogue.v1" => Read<ModelCatalogue>(bytes),
        "offer-sample.v1" => Read<OfferSample>(bytes),
        "offer-ctr-rows.v1" => Read<OfferCtrRows>(bytes),
        "retrain-models.v1" => Read<RetrainModels>(bytes),
        "retrain-accepted.v1" => Read<RetrainAccepted>(bytes),
        "promote-model.v1" => Read<PromoteModel>(bytes),
        "rollback-model.v1" => Read<RollbackModel>(bytes),
        "model-command-result.v1" => Read<ModelCommandResult>(bytes),
        "get-model-catalogue.v1" => Read<GetModelCatalogue>(bytes),
        "model-version-added.v1" => Read<ModelVersionAdded>(bytes),
        "model-promoted.v1" => Read<ModelPromoted>(bytes),
        "get-backfill-progress.v1" => GetBackfillProgress.Instance,
        "backfill-progress.v1" => Read<BackfillProgress>(bytes),
        "poll-timers.v1" => Timers.PollTimers.Instance,
        "timers-polled.v1" => Read<Timers.TimersPolled>(bytes),
        "put-segment.v1" => Read<PutSegment>(bytes),
        "segment-put.v1" => Read<SegmentPut>(bytes),
        "delete-segment.v1" => Read<DeleteSegment>(bytes),
        "segment-deleted.v1" => Read<SegmentDeleted>(bytes),
        "list-segments.v1" => ListSegments.Instance,
        "get-segment.v1" => Read<GetSegment>(bytes),
        "segment-history.v1" => Read<SegmentHistory>(bytes),
        "current-segments.v1" => Read<CurrentSegments>(bytes),
        "segment-command-refused.v1" => Read<SegmentCommandRefused>(bytes),
        "segment-version-recorded.v1" => Read<SegmentVersionRecorded>(bytes),
        "catalogue-snapshot.v1" => Read<CatalogueSnapshot>(bytes),
        _ when Webhooks.WebhookWire.Types.TryGetValue(manifest, out var type) =>
            JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"empty {type.Name}"),
        _ when ModelWire.Types.TryGetValue(manifest, out var type) =>
            JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"empty {type.Name}"),
        _ when Campaigns.CampaignWire.Types.TryGetValue(manifest, out var type) =>
            JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"empty {type.Name}"),
        _ => throw new SerializationException($"DmpSerializer does not know manifest '{manifest}'"),
    };

    private static T Read<T>(byte[] bytes) =>
        JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new SerializationException($"empty {typeof(T).Name}");
}
