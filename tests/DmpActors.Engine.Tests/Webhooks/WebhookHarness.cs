using Akka.Actor;
using Akka.Cluster;
using DmpActors.Domain.Webhooks;
using DmpActors.Engine.Hosting;
using DmpActors.Engine.Tests.Support;
using DmpActors.Engine.Webhooks;

namespace DmpActors.Engine.Tests.Webhooks;

/// <summary>One node's actor system with the webhook feature on a real SQLite journal, restartable on the same file.</summary>
public sealed class WebhookHarness : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();
    private ActorSystem? _system;

    public WebhookDeliverySettings Delivery { get; set; } = WebhookDeliverySettings.Default with
    {
        BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(500), AttemptTimeout = TimeSpan.FromSeconds(5),
        BreakDuration = TimeSpan.FromMilliseconds(500),
    };

    public WebhookHub Hub { get; private set; } = null!;

    public async Task<WebhookHub> StartAsync()
    {
        var persistence = WebhookPersistence.For(new StorageOptions { Provider = "sqlite", DataDirectory = _dir.Path });
        _system = ActorSystem.Create("dmp", AkkaConfig.For(new NodeOptions { Port = 0 }).WithFallback(persistence.Config));
        var up = new TaskCompletionSource();
        var cluster = Cluster.Get(_system);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Hub = WebhookHub.Start(_system, new WebhookRuntime(WebhookRuntime.CreateClient(), Delivery, TimeProvider.System, persistence));
        return Hub;
    }

    public async Task StopAsync()
    {
        if (_system is null) return;
        await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        _system = null;
    }

    public static WebhookSubscription Subscription(string id, TestSubscriber subscriber, params string[] kinds) =>
        new(id, subscriber.Url, TestSubscriber.Secret, kinds.Length == 0 ? [WebhookKinds.Offer] : kinds);

    public async Task<IReadOnlyList<DeliveryRecord>> DeliveredAsync(string endpoint) =>
        (await Hub.DeliveriesAsync(endpoint, 10_000, DeliveryStatus.Delivered)).Deliveries;

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _dir.Dispose();
    }
}
