using Akka.Actor;
using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Profiles;

/// <summary>
/// Events arrive in batches (<see cref="ApplyEvents"/>): the entity takes them one by one exactly as single events,
/// and answers the batch's sender once with every answer it gave meanwhile. A batch stops where the entity changes
/// state (an event starts a merge, say): the rest goes back to the front of the mailbox, ahead of anything that
/// arrived later, and that state handles it as it would any event.
/// </summary>
public sealed partial class UserActor
{
    private Batch? _batch; // while a batch runs: its sender and the answers collected for it
    private int _behaviours; // counts state changes, so a batch sees one

    private sealed class Batch(IActorRef replyTo, int size)
    {
        public readonly IActorRef ReplyTo = replyTo;
        public readonly List<EventApplied> Acks = new(size);
    }

    private new void Become(UntypedReceive receive)
    {
        _behaviours++;
        base.Become(receive);
    }

    /// <summary>Takes the batch's events one by one with <paramref name="one"/>, the handler of the current state.</summary>
    private void ApplyBatch(ApplyEvents batch, Action<ApplyEvent> one)
    {
        var events = batch.Events;
        var sender = Sender;
        var behaviour = _behaviours;
        var done = 0;
        _batch = new Batch(sender, events.Length);
        try
        {
            while (done < events.Length && _behaviours == behaviour) one(events[done++]);
        }
        finally
        {
            var acks = _batch.Acks;
            _batch = null;
            if (acks.Count > 0) sender.Tell(new EventsApplied(acks.ToArray()));
            // A state change, or an exception that restarts the entity: the rest stays first in line.
            if (done < events.Length)
            {
                Stash.Prepend([new Envelope(batch with { Events = events[done..] }, sender)]);
                Stash.UnstashAll();
            }
        }
    }

    /// <summary>Answers an event: into the batch being applied when it came with it, else at once.</summary>
    private void Ack(IActorRef to, long deliveryId, ApplyOutcome outcome, string? detail = null, string? exception = null)
    {
        var ack = new EventApplied(deliveryId, _incarnation, outcome, _versions.Current, _versions.Loaded, detail, exception);
        if (_batch is { } batch && batch.ReplyTo.Equals(to)) batch.Acks.Add(ack);
        else to.Tell(ack);
    }
}
