using Akka.Actor;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using DmpActors.Domain.Events;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Profiles;
using DmpActors.Engine.Segments;
using DmpActors.Engine.Models;
using DmpActors.Engine.Serialization;
using DmpActors.Engine.Tests.Support;

namespace DmpActors.Engine.Tests.Serialization;

public sealed class SerializationTests() : TestKit(AkkaConfig.For(new NodeOptions { Port = 0 }))
{
    private static UserProfile RichProfile()
    {
        var profile = UserProfile.Empty("user-1");
        var events = new[]
        {
            TestEvents.PageView("e1", "user-1"),
            TestEvents.ProductView("e2", "user-1", "item-7"),
            TestEvents.Purchase("e3", "user-1", 42.5m),
            """{"event_id":"e4","type":"identify","user_id":"user-1","anonymous_id":"anon-9","timestamp":"2026-11-01T12:00:00Z","traits":{"city":"Leeds","age":41}}"""u8.ToArray(),
            """{"event_id":"e5","type":"consent","user_id":"user-1","timestamp":"2026-11-01T12:01:00Z","properties":{"purposes":{"marketing":false,"analytics":true}}}"""u8.ToArray(),
        };
        long offset = 10;
        foreach (var bytes in events)
        {
            var parsed = EventParser.ParseAccepted(bytes);
            Assert.True(parsed.IsValid, parsed.Rejection.Detail);
            profile = ProfileReducer.Apply(profile, parsed.Event!, new EventPosition(2, offset++, 3)).Profile;
        }
        return profile;
    }

    /// <summary>The rich profile evaluated against a live and a shadow segment, with the live enter still in the outbox.</summary>
    private static UserProfile SegmentedProfile()
    {
        var profile = RichProfile();
        var set = Domain.Segments.SegmentSet.Build(7,
        [
            new Domain.Segments.SegmentVersion("buyers", 2, "orders >= 1", false, TestEvents.BaseTime),
            new Domain.Segments.SegmentVersion("browsers", 1, "window.page_views.30d >= 1", true, TestEvents.BaseTime),
        ]);
        var evaluation = Domain.Segments.Evaluation.SegmentEvaluator.Evaluate(profile.Segments, set, profile,
            Domain.Segments.Evaluation.SegmentCause.Evaluation(7), profile.LastSeen!.Value, null);
        return profile with { Segments = evaluation.Memberships };
    }

    private static UserProfile TimedProfile() => SegmentedProfile() with
    {
        Timers = Domain.Modules.UserTimers.Empty
            .With("segments", "recheck", TestEvents.BaseTime.AddDays(7))
            .With("campaigns", "spring/cart", TestEvents.BaseTime.AddMinutes(30)),
    };

    private static void AssertSameProfile(UserProfile expected, UserProfile actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.EventsApplied, actual.EventsApplied);
        foreach (var type in EventTypes.All) Assert.Equal(expected.CountOf(type), actual.CountOf(type));
        Assert.Equal(expected.FirstSeen, actual.FirstSeen);
        Assert.Equal(expected.LastSeen, actual.LastSeen);
        Assert.Equal(expected.TotalRevenue, actual.TotalRevenue);
        Assert.Equal(expected.Orders, actual.Orders);
        Assert.Equal(expected.RecentlyViewedItems, actual.RecentlyViewedItems);
        Assert.Equal(expected.LastPurchase!.OrderId, actual.LastPurchase!.OrderId);
        Assert.Equal(expected.LastPurchase.Items, actual.LastPurchase.Items);
        Assert.Equal(expected.Traits, actual.Traits);
        Assert.Equal(expected.Consent, actual.Consent);
        Assert.Equal(expected.KnownIds, actual.KnownIds);
        Assert.Equal(expected.Dedupe.RecentEventIdHashes, actual.Dedupe.RecentEventIdHashes);
        Assert.Equal(expected.Dedupe.HighestOffsetByPartition, actual.Dedupe.HighestOffsetByPartition);
        Assert.Equal(expected.Dedupe.LogGeneration, actual.Dedupe.LogGeneration);
    }

    [Fact]
    public void A_profile_round_trips_through_the_persisted_format()
    {
        var profile = RichProfile();

        var decoded = ProfileCodec.Decode(ProfileCodec.Encode(profile));

        AssertSameProfile(profile, decoded);
        // Dedupe survives: replaying an applied event changes nothing.
        var replay = EventParser.ParseAccepted(TestEvents.PageView("e1", "user-1")).Event!;
        Assert.NotEqual(ApplyOutcome.Applied, ProfileReducer.Apply(decoded, replay, new EventPosition(2, 10, 3)).Outcome);
        Assert.NotEqual(ApplyOutcome.Applied, ProfileReducer.Apply(decoded, replay, null).Outcome);
    }

    [Fact]
    public void A_profile_written_in_format_version_1_still_loads()
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serialization", "profile-v1.bin"));

        var profile = ProfileCodec.Decode(bytes);

        AssertSameProfile(RichProfile(), profile);
    }

    [Fact]
    public void Windows_affinities_and_consent_history_round_trip_exactly()
    {
        var profile = RichProfile();
        Assert.True(profile.Windows.WordCount > 0 && profile.ItemAffinity.Count > 0 && profile.ConsentHistory.Decisions.Count > 0);

        var decoded = ProfileCodec.Decode(ProfileCodec.Encode(profile));

        Assert.Equal(profile, decoded);
        Assert.Equal(ProfileCodec.CurrentVersion, ProfileCodec.Encode(profile)[1]);
    }

    [Fact]
    public void A_profile_written_in_format_version_2_still_loads()
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serialization", "profile-v2.bin"));

        var profile = ProfileCodec.Decode(bytes);

        Assert.Equal(RichProfile(), profile);
    }

    [Fact]
    public void A_version_1_profile_loads_with_empty_windows_that_fill_from_the_next_event()
    {
        var profile = ProfileCodec.Decode(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serialization", "profile-v1.bin")));
        Assert.Equal(0, profile.Windows.WordCount);

        var next = ProfileReducer.Apply(profile, EventParser.ParseAccepted(TestEvents.PageView("e9", "user-1", 5)).Event!, null).Profile;

        Assert.Equal(1, next.Windows.ValuesFor(TimeSpan.FromHours(1), TestEvents.BaseTime.AddMinutes(5)).CountOf(EventType.PageView));
    }

    [Fact]
    public void A_profile_written_in_format_version_2_keeps_recognising_its_event_ids_after_it_is_saved_again()
    {
        // Given a v2 profile (event ids as strings), loaded and written again in the current format
        var v2 = ProfileCodec.Decode(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serialization", "profile-v2.bin")));
        var resaved = ProfileCodec.Decode(ProfileCodec.Encode(v2));

        // Then every id it held is still a duplicate, by id alone (no Kafka position)
        foreach (var id in new[] { "e1", "e2", "e3", "e4", "e5" })
            Assert.Equal(ApplyOutcome.DuplicateEventId, ProfileReducer.Apply(resaved, EventParser.ParseAccepted(TestEvents.PageView(id, "user-1")).Event!, null).Outcome);
        Assert.Equal(ApplyOutcome.Applied, ProfileReducer.Apply(resaved, EventParser.ParseAccepted(TestEvents.PageView("e6", "user-1")).Event!, null).Outcome);
    }

    [Fact]
    public void A_profile_written_in_format_version_3_still_loads_with_no_memberships()
    {
        var profile = ProfileCodec.Decode(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serialization", "profile-v3.bin")));

        Assert.Equal(RichProfile(), profile);
        Assert.True(profile.Segments.IsEmpty);
    }

    [Fact]
    public void Segment_memberships_and_the_outbox_round_trip_exactly()
    {
        var profile = SegmentedProfile();
        Assert.Equal(["browsers", "buyers"], profile.Segments.MemberIds());
        Assert.Single(profile.Segments.Outbox);

        Assert.Equal(profile, ProfileCodec.Decode(ProfileCodec.Encode(profile)));
    }

    [Fact]
    public void A_profile_written_in_format_version_4_still_loads_with_no_timers()
    {
        var profile = ProfileCodec.Decode(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serialization", "profile-v4.bin")));

        Assert.Equal(SegmentedProfile(), profile);
        Assert.Equal(0, profile.Timers.Count);
    }

    [Fact]
    public void Timers_round_trip_exactly()
    {
        var profile = TimedProfile();
        Assert.Equal(2, profile.Timers.Count);

        Assert.Equal(profile, ProfileCodec.Decode(ProfileCodec.Encode(profile)));
    }

    [Fact]
    public void The_encoder_writes_the_version_5_sample_byte_for_byte_and_reusing_its_buffers_changes_nothing()
    {
        // Given the committed v5 sample, written from the same profile by the encoder of its day
        var sample = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serialization", "profile-v5.bin"));

        // When the profile is encoded, then a different (larger) one on the same thread, then the first again
        var first = ProfileCodec.Encode(TimedProfile());
        var other = ProfileCodec.Encode(ProfileReducer.ApplyAll(RichProfile(),
            Enumerable.Range(0, 300).Select(i => (EventParser.ParseAccepted(TestEvents.PageView($"extra-{i}", "user-1", i % 50)).Event!, (EventPosition?)null))));
        var again = ProfileCodec.Encode(TimedProfile());

        // Then the format did not move, and per-thread buffers leave nothing behind between profiles
        Assert.Equal(sample, first);
        Assert.Equal(first, again);
        Assert.True(other.Length > first.Length);
    }

    [Fact]
    public void A_truncated_profile_is_refused_with_a_clear_error()
    {
        var bytes = ProfileCodec.Encode(RichProfile());

        var error = Assert.Throws<FormatException>(() => ProfileCodec.Decode(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_profile_from_a_newer_format_is_refused_with_a_clear_error()
    {
        var bytes = ProfileCodec.Encode(RichProfile());
        bytes[1] = 99;

        var error = Assert.Throws<FormatException>(() => ProfileCodec.Decode(bytes));
        Assert.Contains("99", error.Message);
    }

    private static object[] ModelMessages()
    {
        var sample = new Domain.Scores.FeatureSample("user-1", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), [1.5f, 2, 3],
            [new Domain.Scores.CategoryShare("shoes", 0.75f)]);
        var version = new ModelVersion("churn", 3, Ml.Training.ModelKind.Churn, ModelStatus.Shadow, sample.AsOf,
            new Dictionary<string, double> { ["auc"] = 0.71 }, 1200, 345.6, [1, 2, 3]);
        return
        [
            new ModelCatalogue(4, [version, version with { Version = 2, Status = ModelStatus.Retired, Payload = null }]),
            new OfferSample(sample),
            new OfferCtrRows([new DmpActors.Domain.Recommendations.CtrRow("rec-1", "u1", "sku-1", "home", DateTimeOffset.UnixEpoch, 2, [1f, 0.5f], true)]),
            new RetrainModels(["churn"], Shadow: true),
            new RetrainAccepted(true, ["churn"], 10, 5, "training started"),
            new PromoteModel("churn", 3),
            new RollbackModel("churn"),
            new ModelCommandResult(true, "churn v3 is active"),
            new GetModelCatalogue(4),
            new ModelVersionAdded(version),
            new ModelPromoted("churn", 3),
            new TrainingOutcome(5, ["churn"], true, 10, 5, sample.AsOf, sample.AsOf.AddSeconds(2), [version with { Payload = null }],
                ["propensity: 5 labelled rows, 200 needed"], null),
            new DescribeModels(),
            new ModelsDescription(new ModelCatalogue(4, [version with { Payload = null }]), new TrainingRun(6, ["churn"], false, 10, 5, sample.AsOf),
                null, 12, 10, 5, [new ShadowCount("churn", 3, 40, 4)]),
            new ScoringTally("akka.tcp://dmp@127.0.0.1:1", [new ShadowCount("churn", 3, 40, 4)]),
        ];
    }

    [Fact]
    public void Every_cluster_message_round_trips_through_the_dmp_serializer()
    {
        var profile = RichProfile();
        var parsed = EventParser.ParseAccepted(TestEvents.Purchase("e9", "user-1", 12.25m)).Event!;
        object[] messages =
        [
            new ApplyEvent("user-1", parsed, new EventPosition(1, 99, 2), 7),
            new ApplyEvent("user-1", parsed, null, 8),
            new ApplyEvent("user-1", parsed, new EventPosition(1, 100, 2), 9, 99),
            new EventApplied(7, 123456789, ApplyOutcome.DuplicateEventId, 12, 9),
            new ApplyEvents("user-1", [new ApplyEvent("user-1", parsed, new EventPosition(1, 101, 2), 10, 100), new ApplyEvent("user-1", parsed, null, 11)]),
            new EventsApplied([new EventApplied(10, 123456789, ApplyOutcome.Applied, 13, 9), new EventApplied(11, 123456789, ApplyOutcome.Failed, 13, 9, "boom", "System.InvalidOperationException")]),
            new FlushProfile("user-1", 123456789, 12, 4),
            new ProfileFlushed("user-1", 4, false, "disk full"),
            new GetProfile("user-1"),
            new EvaluateSegments("user-1", 7),
            new SegmentsEvaluated("user-1", 7, 2),
            new FireTimers("user-1"),
            new TimersFired("user-1", 1, 2),
            new ProfileReply("user-1", profile),
            new ProfileReply("nobody", null),
            StopUser.Instance,
            new LockForMerge("anon-1", "lock-1", "user-1"),
            new EntityLocked("lock-1", "anon-1", ProfileCodec.Encode(profile), [1, 2, 3], 5),
            new LockRefused("lock-1", Domain.Identity.MergeRefusalReason.TooManyUserIds),
            new CommitLock("anon-1", "lock-1", ProfileCodec.Encode(profile), null, 6),
            new ReleaseLock("anon-1", "lock-1", true),
            new EraseUser("user-1"),
            new UserErased("user-1", 2, new DateTimeOffset(2026, 12, 23, 0, 0, 0, TimeSpan.Zero)),
            new EnterQuarantine("anon-1", new DateTimeOffset(2026, 12, 23, 0, 0, 0, TimeSpan.Zero)),
            new UnmergeUser("user-1", "anon-1"),
            new UnmergeResult("user-1", "anon-1", "m-1", null),
            new GetIdentity("user-1"),
            new IdentityReply("user-1", profile, Domain.Identity.IdentityState.Empty.WithUserId("user-1"), null),
            GetBackfillProgress.Instance,
            Engine.Timers.PollTimers.Instance,
            new Engine.Timers.TimersPolled(12),
            new BackfillProgress("running", 3, 120, 1000, 4, 1, new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero), null, 950.5, 32, 1),
            .. Webhooks.WebhookSamples.All,
            .. Campaigns.CampaignSamples.All,
            .. SegmentCatalogueSamples.Messages,
            .. ModelMessages(),
        ];
        Assert.Equal(DmpSerializer.Types.OrderBy(t => t.Name), messages.Select(m => m.GetType()).Distinct().OrderBy(t => t.Name));
        // Every message bound to the serializer (IWireMessage) has its manifest, and nothing else has one.
        var wire = typeof(IWireMessage).Assembly.GetTypes().Where(t => !t.IsAbstract && !t.IsInterface && typeof(IWireMessage).IsAssignableFrom(t));
        Assert.Equal(DmpSerializer.Types.OrderBy(t => t.Name), wire.OrderBy(t => t.Name));

        var serialization = Sys.Serialization;
        foreach (var message in messages)
        {
            var serializer = serialization.FindSerializerFor(message);
            Assert.IsType<DmpSerializer>(serializer);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
            var back = serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
            switch (message)
            {
                case ModelCatalogue or OfferSample or OfferCtrRows or ModelVersionAdded or RetrainModels or RetrainAccepted or TrainingOutcome or ModelsDescription or ScoringTally:
                    Assert.Equal(serializer.ToBinary(message), serializer.ToBinary(back));
                    break;
                case ProfileReply { Profile: { } p }: AssertSameProfile(p, ((ProfileReply)back).Profile!); break;
                case IdentityReply i:
                    var j = (IdentityReply)back;
                    AssertSameProfile(i.Profile!, j.Profile!);
                    Assert.Equal(IdentityCodec.Encode(i.Identity), IdentityCodec.Encode(j.Identity));
                    break;
                case EntityLocked l:
                    var k = (EntityLocked)back;
                    Assert.Equal(l.Profile, k.Profile);
                    Assert.Equal(l with { Profile = k.Profile, Identity = k.Identity }, k);
                    Assert.Equal(l.Identity, k.Identity);
                    break;
                case CommitLock c:
                    var d = (CommitLock)back;
                    Assert.Equal(c.Profile, d.Profile);
                    Assert.Equal(c with { Profile = d.Profile }, d);
                    break;
                case ApplyEvent a:
                    AssertSameApply(a, (ApplyEvent)back);
                    break;
                case ApplyEvents many:
                    var again = (ApplyEvents)back;
                    Assert.Equal(many.UserId, again.UserId);
                    Assert.Equal(many.Events.Length, again.Events.Length);
                    for (var n = 0; n < many.Events.Length; n++) AssertSameApply(many.Events[n], again.Events[n]);
                    break;
                case EventsApplied acks:
                    Assert.Equal(acks.Acks, ((EventsApplied)back).Acks);
                    break;
                case var w when Webhooks.WebhookSamples.Owns(w): Assert.Equal(serializer.ToBinary(w), serializer.ToBinary(back)); break;
                case var c when Campaigns.CampaignSamples.Owns(c): Assert.Equal(serializer.ToBinary(c), serializer.ToBinary(back)); break;
                case var m when SegmentCatalogueSamples.Lists(m) is var (key, versions):
                    Assert.Equal(m.GetType(), back.GetType());
                    Assert.Equal(key, SegmentCatalogueSamples.Lists(back)!.Value.Key);
                    Assert.Equal(versions, SegmentCatalogueSamples.Lists(back)!.Value.Versions);
                    break;
                default: Assert.Equal(message, back); break;
            }
        }
    }

    private static void AssertSameApply(ApplyEvent a, ApplyEvent b)
    {
        Assert.Equal(a with { Event = b.Event }, b);
        Assert.Equal(a.Event.Items, b.Event.Items);
        Assert.Equal(a.Event with { Items = b.Event.Items }, b.Event);
    }

    [Fact]
    public void Version_1_acks_and_flushes_from_an_older_node_never_vouch_for_another_incarnation()
    {
        var serializer = (DmpSerializer)Sys.Serialization.FindSerializerForType(typeof(FlushProfile));

        var flush = (FlushProfile)serializer.FromBinary("""{"user_id":"u","incarnation":5,"checkpoint_id":3}"""u8.ToArray(), "flush-profile.v1");
        var applied = (EventApplied)serializer.FromBinary("""{"delivery_id":1,"incarnation":5,"outcome":"applied"}"""u8.ToArray(), "event-applied.v1");

        Assert.Equal(new FlushProfile("u", 5, long.MaxValue, 3), flush);
        Assert.Equal(new EventApplied(1, 5, ApplyOutcome.Applied, 0, -1), applied);
    }

    /// <summary>Writes the current version's sample (profile-vN.bin); run by hand only when introducing a new format version.</summary>
    internal static void WriteSample(string path) => File.WriteAllBytes(path, ProfileCodec.Encode(TimedProfile()));

}
