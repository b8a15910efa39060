using DmpActors.Domain.Segments.Evaluation;

namespace DmpActors.Engine.Segments;

/// <summary>
/// In-process subscribers to this node's segment changes (campaign triggers, tests, the dashboard). A change reaches
/// them after Kafka acknowledged it, in the order its entity published it; like the topic, a change may arrive again
/// with the same id after a crash. A subscriber that throws is skipped for that change, never the others.
/// </summary>
public sealed class SegmentChangeHub
{
    private Action<SegmentChange>[] _subscribers = [];

    /// <summary>Called on the publishing entity's thread: keep it short, hand work elsewhere.</summary>
    public IDisposable Subscribe(Action<SegmentChange> subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        Update(list => [.. list, subscriber]);
        return new Subscription(() => Update(list => list.Where(s => !ReferenceEquals(s, subscriber)).ToArray()));
    }

    public void Publish(SegmentChange change)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber(change);
            }
            catch (Exception)
            {
                // One subscriber's failure is its own; the change is durable on Kafka for it to read again.
            }
        }
    }

    private void Update(Func<Action<SegmentChange>[], Action<SegmentChange>[]> change)
    {
        while (true)
        {
            var seen = Volatile.Read(ref _subscribers);
            if (ReferenceEquals(Interlocked.CompareExchange(ref _subscribers, change(seen), seen), seen)) return;
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
