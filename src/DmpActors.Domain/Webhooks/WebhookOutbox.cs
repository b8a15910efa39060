namespace DmpActors.Domain.Webhooks;

/// <summary>One message for one endpoint. <see cref="Id"/> is the <c>webhook-id</c>: the subscriber's idempotency key.</summary>
public sealed record WebhookMessage(string Id, string Kind, string Body, DateTimeOffset EnqueuedAt);

public enum DeliveryStatus { Pending, Delivered, Dead }

/// <summary>What the delivery log shows for one message.</summary>
public sealed record DeliveryRecord(string Id, string Kind, DeliveryStatus Status, DateTimeOffset EnqueuedAt)
{
    public int Attempts { get; init; }
    public int? StatusCode { get; init; }
    public double? LatencyMs { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>How one delivery ended after its retries: delivered, or dead with the last error.</summary>
public sealed record DeliveryOutcome(string Id, bool Delivered, int Attempts, int? StatusCode, double LatencyMs, string? Error, DateTimeOffset At);

/// <summary>
/// An endpoint's outbox and delivery log as a value: what is pending, what was delivered, what is dead. The endpoint's
/// actor journals each change and replays them through the same methods, so its state after a restart is this fold.
/// A message id seen once is never queued again (until it falls out of the remembered window), so replays and
/// repeated triggers do not make a second delivery.
/// </summary>
public sealed class WebhookOutbox
{
    private readonly Dictionary<string, WebhookMessage> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeliveryRecord> _records = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _order = new();
    private readonly Queue<string> _pending = new();

    public WebhookOutbox(int rememberedIds = 100_000) => RememberedIds = rememberedIds;

    public int RememberedIds { get; }
    public int PendingCount => _records.Values.Count(r => r.Status == DeliveryStatus.Pending);

    public bool Knows(string id) => _records.ContainsKey(id);

    /// <summary>False when the id is already known (then nothing changes).</summary>
    public bool Enqueue(WebhookMessage message)
    {
        if (_records.ContainsKey(message.Id)) return false;
        _messages[message.Id] = message;
        _records[message.Id] = new DeliveryRecord(message.Id, message.Kind, DeliveryStatus.Pending, message.EnqueuedAt);
        _order.AddLast(message.Id);
        _pending.Enqueue(message.Id);
        Forget();
        return true;
    }

    /// <summary>The next pending message not already taken, or null.</summary>
    public WebhookMessage? Take(ISet<string> inFlight)
    {
        var n = _pending.Count;
        for (var i = 0; i < n; i++)
        {
            var id = _pending.Dequeue();
            if (_records.GetValueOrDefault(id)?.Status != DeliveryStatus.Pending) continue;
            if (inFlight.Contains(id)) { _pending.Enqueue(id); continue; }
            _pending.Enqueue(id); // stays queued until its outcome is recorded
            return _messages[id];
        }
        return null;
    }

    public void Complete(DeliveryOutcome outcome)
    {
        if (!_records.TryGetValue(outcome.Id, out var record)) return;
        _records[outcome.Id] = record with
        {
            Status = outcome.Delivered ? DeliveryStatus.Delivered : DeliveryStatus.Dead,
            Attempts = record.Attempts + outcome.Attempts, StatusCode = outcome.StatusCode, LatencyMs = outcome.LatencyMs,
            Error = outcome.Error, CompletedAt = outcome.At,
        };
        // A delivered body is no longer needed; a dead one is kept for redelivery.
        if (outcome.Delivered) _messages.Remove(outcome.Id);
    }

    /// <summary>Puts dead messages (all, or the ids given) back in the queue; returns their ids.</summary>
    public IReadOnlyList<string> Redeliver(IReadOnlyCollection<string>? ids)
    {
        var dead = _records.Values.Where(r => r.Status == DeliveryStatus.Dead && (ids is null || ids.Contains(r.Id)))
            .Select(r => r.Id).ToList();
        foreach (var id in dead)
        {
            _records[id] = _records[id] with { Status = DeliveryStatus.Pending, CompletedAt = null };
            _pending.Enqueue(id);
        }
        return dead;
    }

    /// <summary>The newest records first, optionally of one status.</summary>
    public IReadOnlyList<DeliveryRecord> Log(int limit, DeliveryStatus? status = null)
    {
        var result = new List<DeliveryRecord>();
        for (var node = _order.Last; node is not null && result.Count < limit; node = node.Previous)
        {
            var record = _records[node.Value];
            if (status is null || record.Status == status) result.Add(record);
        }
        return result;
    }

    /// <summary>Drops the oldest finished records beyond the remembered window (pending and dead ones stay).</summary>
    private void Forget()
    {
        var node = _order.First;
        while (_records.Count > RememberedIds && node is not null)
        {
            var next = node.Next;
            if (_records[node.Value].Status == DeliveryStatus.Delivered)
            {
                _records.Remove(node.Value);
                _messages.Remove(node.Value);
                _order.Remove(node);
            }
            node = next;
        }
    }
}
