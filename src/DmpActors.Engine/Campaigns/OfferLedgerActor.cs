using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using DmpActors.Domain.Campaigns;
using DmpActors.Engine.Profiles;

namespace DmpActors.Engine.Campaigns;

/// <summary>
/// One user's offers (sharded entity type "offer-ledger", by user id): the per-user caps are checked and consumed
/// here, one trigger at a time, so campaigns racing for one user never exceed a cap together. A trigger's decisions
/// and its offers are journaled before the offers go out (an outbox): after a crash the offers without an
/// acknowledgement are sent again under the same ids, and a replayed trigger decides nothing again.
/// </summary>
public sealed class OfferLedgerActor : ReceivePersistentActor, IWithTimers
{
    private readonly string _userId;
    private readonly CampaignRuntimeContext _context;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Random _rng = new();
    private OfferLedger _ledger = OfferLedger.Empty;
    private bool _publishing;

    public OfferLedgerActor(string userId, CampaignRuntimeContext context)
    {
        (_userId, _context) = (userId, context);
        Recover<OffersDecided>(e => _ledger = _ledger.Record(e.Cause.CauseId, e.Decisions, e.Offers));
        Recover<OffersPublished>(e => _ledger = _ledger.Published(e.OfferIds));
        Recover<RecoveryCompleted>(_ => Publish());
        Ready();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public override string PersistenceId => "offers-" + _userId;

    public static Props Props(string userId, CampaignRuntimeContext context) =>
        Akka.Actor.Props.Create(() => new OfferLedgerActor(userId, context));

    private void Ready()
    {
        Command<DecideOffers>(Decide);
        Command<GetOfferDecisions>(_ => Sender.Tell(new OfferDecisions(_userId, _ledger.Decisions, _ledger.Sent)));
        Command<OffersDelivered>(Delivered);
        Command<RetryPublish>(_ => Publish());
    }

    private void Decide(DecideOffers decide)
    {
        if (_ledger.Decided(decide.Cause.CauseId))
        {
            Sender.Tell(new OffersDecided(_userId, decide.Cause, [], []));
            return;
        }

        var replyTo = Sender;
        DecideAsync(decide.Cause, _ledger).PipeTo(Self, success: r => r with { ReplyTo = replyTo },
            failure: e => new DecisionFailed(decide.Cause, e.GetBaseException().Message, replyTo));
        // One trigger at a time: the next one sees the caps this one consumes.
        BecomeStacked(() =>
        {
            Command<DecisionsReady>(Record);
            Command<DecisionFailed>(failed =>
            {
                _log.Warning("Offers for trigger {0} were not decided: {1}", failed.Cause.CauseId, failed.Error);
                failed.ReplyTo.Tell(new Status.Failure(new InvalidOperationException(failed.Error)));
                UnbecomeStacked();
                Stash.UnstashAll();
            });
            Command<OffersDelivered>(Delivered);
            CommandAny(_ => Stash.Stash());
        });
    }

    private async Task<DecisionsReady> DecideAsync(TriggerCause cause, OfferLedger ledger)
    {
        var campaigns = _context.Registry.Current.TriggeredBy(cause.Kind, cause.Target).ToList();
        if (campaigns.Count == 0) return new DecisionsReady(cause, [], [], ActorRefs.Nobody);
        var profile = (await _context.Users.Ask<ProfileReply>(new GetProfile(_userId), _context.Timeout)).Profile;
        var now = _context.Clock.GetUtcNow();
        var candidates = TriggerDecisions.Decide(campaigns, _userId, profile, ledger, now, _context.GlobalCaps, _rng);
        var decisions = new List<CampaignDecision>();
        var offers = new List<OfferMessage>();
        foreach (var decision in candidates)
        {
            if (decision.Outcome != DecisionOutcome.Sent)
            {
                decisions.Add(decision);
                continue;
            }

            var reservation = await _context.Campaigns.Ask<OfferReservation>(
                new ReserveOffer(decision.CampaignId, _userId, cause.CauseId, decision.VariantId!), _context.Timeout);
            if (!reservation.Granted)
            {
                decisions.Add(decision with { Outcome = DecisionOutcome.OutOfBudget, Reason = reservation.Reason, VariantId = null });
                continue;
            }

            var sent = decision with { VariantId = reservation.VariantId };
            decisions.Add(sent);
            offers.Add(OfferJson.Write(campaigns.First(c => c.Id == decision.CampaignId), sent, cause));
        }
        return new DecisionsReady(cause, decisions, offers, ActorRefs.Nobody);
    }

    private void Record(DecisionsReady ready)
    {
        Persist(new OffersDecided(_userId, ready.Cause, ready.Decisions, ready.Offers), e =>
        {
            _ledger = _ledger.Record(e.Cause.CauseId, e.Decisions, e.Offers);
            ready.ReplyTo.Tell(e);
            UnbecomeStacked();
            Stash.UnstashAll();
            Publish();
        });
    }

    private void Publish()
    {
        if (_publishing || _ledger.Pending.Count == 0) return;
        _publishing = true;
        var batch = _ledger.Pending.ToList();
        _context.Publish(batch).PipeTo(Self, success: () => new OffersDelivered(batch.Select(o => o.OfferId).ToList(), null),
            failure: e => new OffersDelivered([], e.GetBaseException().Message));
    }

    private void Delivered(OffersDelivered delivered)
    {
        _publishing = false;
        if (delivered.Error is { } error)
        {
            _log.Warning("Offers of a user were not acknowledged ({0}); they stay in the outbox and are sent again", error);
            Timers.StartSingleTimer("retry", RetryPublish.Instance, TimeSpan.FromSeconds(1));
            return;
        }

        Persist(new OffersPublished(delivered.OfferIds), e =>
        {
            _ledger = _ledger.Published(e.OfferIds);
            Publish();
        });
    }

    private sealed record DecisionsReady(TriggerCause Cause, IReadOnlyList<CampaignDecision> Decisions, IReadOnlyList<OfferMessage> Offers,
        IActorRef ReplyTo);

    private sealed record DecisionFailed(TriggerCause Cause, string Error, IActorRef ReplyTo);

    private sealed record OffersDelivered(IReadOnlyList<string> OfferIds, string? Error);

    private sealed record RetryPublish
    {
        public static readonly RetryPublish Instance = new();
    }
}
