namespace DmpActors.Engine.Tests.Support;

public static class Eventually
{
    /// <summary>Polls until the condition holds; fails with the description after the timeout.</summary>
    public static async Task True(Func<Task<bool>> condition, TimeSpan timeout, string description)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for: {description}");
    }

    public static Task True(Func<bool> condition, TimeSpan timeout, string description) =>
        True(() => Task.FromResult(condition()), timeout, description);
}
