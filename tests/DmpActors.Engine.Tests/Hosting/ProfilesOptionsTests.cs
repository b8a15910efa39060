using DmpActors.Domain.Profiles;
using DmpActors.Engine.Hosting;

namespace DmpActors.Engine.Tests.Hosting;

public sealed class ProfilesOptionsTests
{
    [Fact]
    public void Default_profile_options_are_the_default_rules_and_valid()
    {
        var options = new DmpOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(ProfileRules.Default with { PiiTraits = options.Profiles.ToRules().PiiTraits }, options.Profiles.ToRules());
        Assert.Equal(["email", "phone"], options.Profiles.ToRules().PiiTraits);
    }

    [Fact]
    public void Bad_profile_options_are_reported_with_their_configuration_key()
    {
        var options = new DmpOptions();
        options.Profiles.AllowedLateness = TimeSpan.FromDays(3);
        options.Profiles.ChurnedAfter = TimeSpan.FromDays(1);

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Dmp:Profiles:AllowedLateness: must be between", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Dmp:Profiles:ChurnedAfter: must be longer than AtRiskAfter", StringComparison.Ordinal));
    }

    [Fact]
    public void The_profile_clock_is_wall_or_event_and_its_start_is_read_only_with_event()
    {
        var options = new DmpOptions();
        options.Profiles.Clock = "Event";
        options.Profiles.EventClockStart = new DateTimeOffset(2011, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Empty(options.Validate());
        Assert.True(options.Profiles.FollowsEventTime);

        options.Profiles.Clock = "sundial";
        var errors = options.Validate();
        Assert.Contains("Dmp:Profiles:Clock: 'sundial' is not a clock; use one of wall, event", errors);
        Assert.Contains("Dmp:Profiles:EventClockStart: is read only with Clock = event", errors);
    }
}
