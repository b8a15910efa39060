using System.Collections.Concurrent;
using DmpActors.Cli.Admin;
using DmpActors.Domain.Import;

namespace DmpActors.Cli.Quality;

/// <summary>
/// Top-k lists asked of a running engine through the public API (<c>GET /v1/recommendations/{id}?n=k</c>), for an
/// engine that has consumed the history in event time (<c>Dmp:Profiles:Clock=event</c> and
/// <c>dmpctl import online-retail FILE --until</c> the last history day), so "now" there is the cutoff.
/// </summary>
public static class EngineRecommendations
{
    private sealed record Item(string ItemId);

    private sealed record Answer(IReadOnlyList<Item> Items);

    private sealed record Profile(int Orders);

    private sealed record Associations(long Baskets);

    /// <summary>The ways of asking measured: the engine as configured; with room for ten items of one category (Online Retail
    /// items have none, so the default diversity rule keeps at most three); and with bought items allowed as well.</summary>
    public static IReadOnlyList<(string Model, string Query)> Variants { get; } =
    [
        (Domain.Quality.EngineAnswers.DefaultRecommendations, ""),
        ("engine, max_per_category=10", "&max_per_category=10"),
        ("engine, max_per_category=10, exclude_bought=false", "&max_per_category=10&exclude_bought=false"),
    ];

    /// <summary>How a second, tuned engine is asked: with the request options that suit this data.</summary>
    public static IReadOnlyList<(string Model, string Query)> Tuned(string name) =>
        [($"{name}, max_per_category=10, exclude_bought=false", "&max_per_category=10&exclude_bought=false")];

    /// <summary>Waits until every customer's profile holds at least <paramref name="orders"/> of theirs (the engine has
    /// caught up with the import), then asks each variant for each customer.</summary>
    public static async Task<IReadOnlyList<(string Model, IReadOnlyDictionary<string, IReadOnlyList<string>> Lists)>> AskAsync(
        AdminClient client, IReadOnlyDictionary<string, int> orders, IReadOnlyList<(string Model, string Query)> variants, int k, DateOnly lastHistoryDay,
        string anyItem, TimeSpan wait, Action<string> progress, CancellationToken ct)
    {
        await CaughtUpAsync(client, orders, lastHistoryDay, wait, progress, ct);
        await FeedSettledAsync(client, anyItem, wait, progress, ct);
        var result = new List<(string, IReadOnlyDictionary<string, IReadOnlyList<string>>)>();
        foreach (var (model, query) in variants)
        {
            progress($"{model}: GET /v1/recommendations for {orders.Count:N0} customers…");
            var lists = new ConcurrentDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            await Parallel.ForEachAsync(orders.Keys, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (customer, token) =>
            {
                var answer = await client.GetAsync<Answer>($"/v1/recommendations/{OnlineRetailImport.UserIdOf(customer)}?n={k}{query}", token);
                lists[customer] = answer.Items.Select(i => i.ItemId).ToList();
            });
            result.Add((model, lists));
        }

        return result;
    }

    /// <summary>The item statistics are fed beside the profiles (their own consumer): wait until the baskets they have
    /// folded stop growing, so every list is asked of the same statistics.</summary>
    private static async Task FeedSettledAsync(AdminClient client, string anyItem, TimeSpan wait, Action<string> progress, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        var last = -1L;
        while (DateTime.UtcNow < deadline)
        {
            long baskets;
            try
            {
                baskets = (await client.GetAsync<Associations>($"/v1/items/{Uri.EscapeDataString(anyItem)}/associations", ct)).Baskets;
            }
            catch (AdminException) when (!ct.IsCancellationRequested)
            {
                baskets = 0; // the item is not known yet
            }

            if (baskets > 0 && baskets == last) return;
            progress($"waiting for the engine's item statistics: {baskets:N0} baskets folded");
            last = baskets;
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
    }

    private static async Task CaughtUpAsync(AdminClient client, IReadOnlyDictionary<string, int> orders, DateOnly lastHistoryDay, TimeSpan wait,
        Action<string> progress, CancellationToken ct)
    {
        var pending = new ConcurrentDictionary<string, int>(orders, StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            await Parallel.ForEachAsync(pending.Keys.ToList(), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (customer, token) =>
            {
                try
                {
                    var profile = await client.GetAsync<Profile>($"/v1/profiles/{OnlineRetailImport.UserIdOf(customer)}", token);
                    if (profile.Orders >= pending[customer]) pending.TryRemove(customer, out _);
                }
                catch (AdminException) when (!token.IsCancellationRequested)
                {
                    // Not there yet (404 until the first event is applied).
                }
            });
            if (pending.IsEmpty) return;
            if (DateTime.UtcNow > deadline)
                throw new AdminException(AdminClient.ExitFailed,
                    $"the engine at {client.Node} does not hold the history of {pending.Count:N0} customers after {wait.TotalSeconds:0} s " +
                    $"(e.g. {pending.Keys.First()}): import it with dmpctl import online-retail FILE --until {lastHistoryDay:yyyy-MM-dd}");
            progress($"waiting for the engine: {pending.Count:N0} customers not caught up yet");
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }
}
