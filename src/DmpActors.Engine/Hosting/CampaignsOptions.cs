using DmpActors.Domain.Campaigns;

namespace DmpActors.Engine.Hosting;

/// <summary>Campaigns (Dmp:Campaigns): the caps across all campaigns, as "count/day" or "count/week" in the user's local time.</summary>
public sealed class CampaignsOptions
{
    public string[] GlobalCaps { get; set; } = [];

    public void Validate(OptionsProblems problems)
    {
        foreach (var cap in GlobalCaps) problems.Check(Parse(cap) is not null, "GlobalCaps", $"'{cap}' is not a cap such as 3/week or 1/day");
    }

    public IReadOnlyList<FrequencyCap> Caps() => GlobalCaps.Select(c => Parse(c)!).ToList();

    private static FrequencyCap? Parse(string text)
    {
        var parts = text.Split('/', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], out var count) || count < 1) return null;
        return parts[1].ToLowerInvariant() switch
        {
            "day" => new FrequencyCap(count, CapPeriod.Day),
            "week" => new FrequencyCap(count, CapPeriod.Week),
            _ => null,
        };
    }
}
