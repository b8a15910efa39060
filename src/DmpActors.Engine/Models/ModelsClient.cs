using Akka.Actor;

namespace DmpActors.Engine.Models;

/// <summary>The cluster's models from any node: what the coordinator knows, and its commands (docs/models.md#http-api).</summary>
public interface IModels
{
    Task<ModelsDescription> DescribeAsync(CancellationToken ct = default);

    /// <summary>Starts a run; with <paramref name="wait"/> answers when it ends (a <see cref="TrainingOutcome"/>) unless
    /// it was refused (a <see cref="RetrainAccepted"/> with <c>Started</c> false) or outlasts <paramref name="wait"/>
    /// (null: the run goes on).</summary>
    Task<object?> RetrainAsync(IReadOnlyList<string> names, bool shadow, TimeSpan? wait, CancellationToken ct = default);

    Task<ModelCommandResult> PromoteAsync(string name, int version, CancellationToken ct = default);

    Task<ModelCommandResult> RollbackAsync(string name, CancellationToken ct = default);
}

/// <summary>Asks the coordinator singleton through this node's proxy.</summary>
public sealed class ModelsClient(IActorRef coordinator, TimeSpan timeout) : IModels
{
    public Task<ModelsDescription> DescribeAsync(CancellationToken ct = default) =>
        coordinator.Ask<ModelsDescription>(DescribeModels.Instance, timeout, ct);

    public async Task<object?> RetrainAsync(IReadOnlyList<string> names, bool shadow, TimeSpan? wait, CancellationToken ct = default)
    {
        if (wait is null) return await coordinator.Ask<RetrainAccepted>(new RetrainModels(names, shadow), timeout, ct);
        try
        {
            return await coordinator.Ask<object>(new RetrainModels(names, shadow, ReplyWhenTrained: true), wait.Value, ct);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    public Task<ModelCommandResult> PromoteAsync(string name, int version, CancellationToken ct = default) =>
        coordinator.Ask<ModelCommandResult>(new PromoteModel(name, version), timeout, ct);

    public Task<ModelCommandResult> RollbackAsync(string name, CancellationToken ct = default) =>
        coordinator.Ask<ModelCommandResult>(new RollbackModel(name), timeout, ct);
}
