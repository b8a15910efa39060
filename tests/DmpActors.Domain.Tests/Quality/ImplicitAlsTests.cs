using DmpActors.Domain.Quality;

namespace DmpActors.Domain.Tests.Quality;

public sealed class ImplicitAlsTests
{
    private static readonly DateTimeOffset Day = new(2011, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Order O(string customer, int day, params string[] items) => new(customer, Day.AddDays(day), items, 1);

    [Fact]
    public void A_customer_is_recommended_what_customers_with_the_same_taste_bought_and_not_what_the_other_taste_bought()
    {
        // Given two tastes: ten customers buy candles and holders together, ten buy mugs and plates; ann has only a candle
        var history = new Dictionary<string, IReadOnlyList<Order>>();
        for (var i = 0; i < 10; i++)
        {
            history[$"c{i}"] = [O($"c{i}", 1, "candle", "holder"), O($"c{i}", 5, "candle", "holder")];
            history[$"m{i}"] = [O($"m{i}", 1, "mug", "plate"), O($"m{i}", 5, "mug", "plate")];
        }

        history["ann"] = [O("ann", 2, "candle")];
        var counts = new PurchaseCounts(history);

        // When ALS factorises the history
        var als = new ImplicitAls(counts, history.Keys, new AlsSettings(Factors: 4, Iterations: 15));

        // Then her list leads with her own taste: the candle and its holder before mugs and plates
        var list = als.Recommend("ann", 4);
        Assert.Equal(["candle", "holder"], list.Take(2).Order().ToArray());
        Assert.Empty(als.Recommend("stranger", 4));
    }

    [Fact]
    public void Cholesky_solves_a_symmetric_positive_definite_system()
    {
        // 4x + 2y = 10, 2x + 3y = 9  →  x = 1.5, y = 2
        var x = Cholesky.Solve(new double[,] { { 4, 2 }, { 2, 3 } }, [10, 9]);

        Assert.Equal(1.5, x[0], 9);
        Assert.Equal(2, x[1], 9);
        Assert.Throws<ArgumentException>(() => Cholesky.Solve(new double[,] { { 1, 2 }, { 2, 1 } }, [1, 1]));
    }
}
