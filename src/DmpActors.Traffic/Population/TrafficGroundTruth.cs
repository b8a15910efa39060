using System.Text.Json;
using System.Text.Json.Serialization;

namespace DmpActors.Traffic.Population;

/// <summary>
/// Everything a run's traffic was drawn from that the platform can only infer: the behavioural groups
/// with their click model, and each user's group. Written as one JSON file (snake_case) so segment
/// recovery, CTR models and recommendations can be scored against it by any tool.
/// </summary>
public sealed record TrafficGroundTruth(
    int Seed,
    IReadOnlyList<string> Categories,
    IReadOnlyList<BehaviourGroup> Groups,
    IReadOnlyList<UserGroundTruth> Users)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public async Task WriteAsync(string path, CancellationToken cancellationToken = default)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, this, Json, cancellationToken);
    }

    /// <summary>Reads a file written by <see cref="WriteAsync"/>; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static async Task<TrafficGroundTruth> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        try
        {
            var truth = await JsonSerializer.DeserializeAsync<TrafficGroundTruth>(file, Json, cancellationToken);
            if (truth is { Categories: not null, Groups: not null, Users: not null }) return truth;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a ground-truth file: {e.Message}", e);
        }
        throw new InvalidDataException($"{path} is not a ground-truth file: categories, groups or users missing");
    }
}
