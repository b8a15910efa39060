using Confluent.Kafka;
using DmpActors.Domain.Events;
using DmpActors.Domain.Recommendations;
using DmpActors.Engine.Models;
using DmpActors.Ml.Ctr;
using DmpActors.Ml.Training;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Recommendations;

/// <summary>Where served lists go and where their labelled rows go: the impressions topic (through the node's
/// producer), this node's name (impressions say who served them), the coordinator (rows), and the registry (the CTR
/// model, when a version is live).</summary>
public sealed record CtrLoop(IProducer<byte[]?, byte[]>? Producer, string Topic, string Node, Action<IReadOnlyList<CtrRow>> Rows,
    ModelRegistry? Models);

/// <summary>Live CTR of an item or slot over each window, with its Wilson interval.</summary>
public sealed record CtrView(string Key, IReadOnlyList<(CtrWindow Window, CtrEstimate Estimate)> Windows);

public sealed partial class RecommendationService
{
    private readonly object _ctrGate = new();
    private CtrStatistics _ctr = new(CtrOptions.Default);
    private CtrLoop? _loop;

    /// <summary>Connects the impression → click loop (before the feeds start).</summary>
    public void Connect(CtrLoop loop)
    {
        _loop = loop;
        lock (_ctrGate) _ctr = new CtrStatistics(_options.Ctr.ToOptions(), loop.Node, _clock.GetUtcNow());
    }

    /// <summary>Folds a batch of served lists from the impressions topic.</summary>
    public void FoldImpressions(IReadOnlyList<(Impression Impression, long RecordUnixMs)> impressions)
    {
        var rows = new List<CtrRow>();
        lock (_ctrGate)
        {
            foreach (var (i, _) in impressions) _ctr.OnImpression(i, rows);
        }

        RecommendationMetrics.Impressions.Add(impressions.Sum(i => i.Impression.Items.Count));
        Emit(rows);
    }

    private void FoldClicks(IReadOnlyList<(UserEvent Event, long RecordUnixMs)> events)
    {
        List<CtrRow>? rows = null;
        foreach (var (e, _) in events)
        {
            if (e.RecommendationId is null) continue;
            rows ??= [];
            lock (_ctrGate) _ctr.Apply(e, rows);
            RecommendationMetrics.Clicks.Add(1);
        }

        if (rows is not null) Emit(rows);
    }

    /// <summary>Lists older than the click window stop waiting: their unclicked items become negative rows.</summary>
    public void AdvanceClicks()
    {
        var rows = new List<CtrRow>();
        lock (_ctrGate) _ctr.Advance(_clock.GetUtcNow(), rows);
        Emit(rows);
    }

    private void Emit(List<CtrRow> rows)
    {
        if (rows.Count == 0 || _loop is null) return;
        _loop.Rows(rows);
        RecommendationMetrics.TrainingRows.Add(rows.Count);
    }

    public CtrView ItemCtr(string itemId)
    {
        var now = _clock.GetUtcNow();
        lock (_ctrGate) return new CtrView(itemId, Enum.GetValues<CtrWindow>().Select(w => (w, _ctr.ItemCtr(itemId, w, now))).ToArray());
    }

    public IReadOnlyList<CtrView> SlotCtr()
    {
        var now = _clock.GetUtcNow();
        lock (_ctrGate)
        {
            return _ctr.Slots.Order(StringComparer.Ordinal)
                .Select(s => new CtrView(s, Enum.GetValues<CtrWindow>().Select(w => (w, _ctr.SlotCtr(s, w, now))).ToArray())).ToArray();
        }
    }

    public (long Impressions, long Clicks, long Unmatched, int Open) CtrTotals
    {
        get { lock (_ctrGate) return (_ctr.Impressions, _ctr.Clicks, _ctr.UnmatchedClicks, _ctr.OpenLists); }
    }

    private (IReadOnlySet<string> Fatigued, CtrEstimate SlotWeek) CtrBefore(string userId, string slot, DateTimeOffset now)
    {
        lock (_ctrGate) return (_ctr.Fatigued(userId), _ctr.SlotCtr(slot, CtrWindow.Week, now));
    }

    /// <summary>The features of each blended item, as served (called under the statistics' lock).</summary>
    private float[][] Features(Recommendation list, RecommendationRequest request, CtrEstimate slotWeek)
    {
        var top = _stats.Popularity.Popular(request.Now) is { Count: > 0 } p ? p[0].Score : 0;
        var trending = _stats.Popularity.Trending(request.Now) is { Count: > 0 } t ? t[0].Score : 0;
        var features = new float[list.Items.Count][];
        lock (_ctrGate)
        {
            for (var k = 0; k < features.Length; k++)
            {
                var item = list.Items[k];
                var context = new CtrContext(_ctr.ItemCtr(item.ItemId, CtrWindow.Week, request.Now), slotWeek, top, trending);
                features[k] = CtrFeatures.Of(item, k, request, _stats, context);
            }
        }

        return features;
    }

    /// <summary>Re-ranks the blended pool by the live CTR model (and scores the shadow beside it, counting where the two
    /// disagree); without a model the blend's order stands. Returns the served items with their features, and the
    /// version that ranked them.</summary>
    private (IReadOnlyList<(RecommendedItem Item, float[] Features)> Items, int? Version) Rank(Recommendation list, float[][] features, int count)
    {
        var pool = list.Items.Select((item, k) => (Item: item, Features: features[k])).ToArray();
        var (active, shadow) = _loop?.Models?.Scoring(ModelNames.Ctr) ?? (null, null);
        if (active is not { Model: CtrModel model } a) return (pool.Take(count).ToArray(), null);
        var scored = pool.Select(p => (p.Item, p.Features, P: model.Predict(p.Features))).ToArray();
        var ranked = scored.OrderByDescending(s => float.IsNaN(s.P) ? -1 : s.P).Take(count).Select(s => (s.Item, s.Features)).ToArray();
        foreach (var s in scored.Take(count)) _loop!.Models!.Scored(ModelNames.Ctr, a.Version);
        if (shadow is { Model: CtrModel other } sh)
        {
            foreach (var s in scored.Take(count))
                _loop!.Models!.Scored(ModelNames.Ctr, sh.Version, Math.Abs(other.Predict(s.Features) - s.P) > ModelRegistry.ProbabilityTolerance);
        }

        return (ranked, a.Version);
    }

    private void LogImpression(ServedRecommendation served, IReadOnlyList<float[]> features)
    {
        if (_loop?.Producer is not { } producer) return;
        var impression = new Impression(served.RecommendationId, served.UserId, served.Slot, served.At, _loop.Node,
            served.List.Items.Select((item, k) => new ImpressedItem(item.ItemId, k, features[k])).ToArray());
        try
        {
            producer.Produce(_loop.Topic, new Message<byte[]?, byte[]> { Key = System.Text.Encoding.UTF8.GetBytes(served.UserId), Value = ImpressionCodec.Encode(impression) },
                report =>
                {
                    if (report.Error.IsError) Failed(report.Error.Reason);
                });
        }
        catch (Exception ex) when (ex is ProduceException<byte[]?, byte[]> or KafkaException)
        {
            Failed(ex.Message);
        }
    }

    private void Failed(string reason)
    {
        RecommendationMetrics.ImpressionsLost.Add(1);
        _log.LogWarning("An impression could not be logged: {Reason}", reason);
    }
}
