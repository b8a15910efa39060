namespace DmpActors.Traffic.Population;

/// <summary>What the generator knows about a person and the platform can only infer: the ground truth.</summary>
/// <param name="Group">Id of the person's <see cref="BehaviourGroup"/>.</param>
/// <param name="HomeCategory">The favourite category of the group that this person browses most.</param>
public sealed record UserGroundTruth(string EntityId, int Group, string HomeCategory, bool StartsAnonymous);

public sealed record UserTraits(string Email, int Age, string City, string Gender, string Language);

/// <summary>
/// A simulated person. Built from its own seeded Random so a user looks the same whatever order users
/// are first touched in; only <see cref="Identified"/>, <see cref="AnonymousId"/> and the session count
/// change as traffic flows.
/// </summary>
internal sealed class SimulatedUser
{
    private static readonly string[] Cities =
        ["Berlin", "Paris", "Madrid", "Rome", "Warsaw", "Amsterdam", "Vienna", "Prague", "Lisbon", "Stockholm", "Dublin", "Athens"];
    private static readonly string[] Languages = ["de", "fr", "es", "it", "pl", "nl", "en"];

    private SimulatedUser(int index, string userId, int group, int homeCategory, bool startsAnonymous, string anonymousId, UserTraits traits)
    {
        Index = index;
        Group = group;
        UserId = userId;
        HomeCategory = homeCategory;
        StartsAnonymous = startsAnonymous;
        Identified = !startsAnonymous;
        AnonymousId = anonymousId;
        Traits = traits;
    }

    public int Index { get; }

    /// <summary>The user_id the person has, or will have once identified; doubles as the ground-truth entity id.</summary>
    public string UserId { get; }

    public int Group { get; }
    public int HomeCategory { get; }
    public bool StartsAnonymous { get; }
    public UserTraits Traits { get; }

    public bool Identified { get; set; }
    public string AnonymousId { get; set; }
    public int SessionsStarted { get; set; }

    public string Key => Identified ? UserId : AnonymousId;

    public static SimulatedUser Create(int seed, int index, TrafficOptions options, BehaviourModel model)
    {
        // HashCode.Combine is randomised per process, so mix the seed and index deterministically.
        var random = new Random(Mix(seed, index));
        var group = model.SampleGroup(random);
        var homeCategory = model.SampleFavourite(group, random);
        var startsAnonymous = random.NextDouble() < options.AnonymousShare;
        var userId = $"u{index:D7}";
        var gender = random.NextDouble() switch
        {
            < 0.48 => "female",
            < 0.95 => "male",
            < 0.98 => "non_binary",
            _ => "undisclosed",
        };
        var traits = new UserTraits(
            Email: $"{userId}@mail.example",
            Age: 18 + random.Next(58),
            City: Cities[random.Next(Cities.Length)],
            Gender: gender,
            Language: Languages[random.Next(Languages.Length)]);
        return new SimulatedUser(index, userId, group, homeCategory, startsAnonymous, NewAnonymousId(random), traits);
    }

    private static int Mix(int seed, int index)
    {
        // SplitMix64 finaliser over (seed, index).
        var z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)(z ^ (z >> 31));
    }

    public static string NewAnonymousId(Random random) => $"anon-{(ulong)random.NextInt64():x16}";
}
