using DmpActors.Domain.Identity;
using DmpActors.Engine.Hosting;

namespace DmpActors.Engine.Tests.Hosting;

public sealed class IdentityOptionsTests
{
    [Fact]
    public void Defaults_are_valid_block_the_built_in_placeholders_and_quarantine_for_30_days()
    {
        var options = new DmpOptions();

        Assert.Empty(options.Validate());
        Assert.True(options.Identity.Rules().IsBlocked("undefined"));
        Assert.Equal(1, options.Identity.Rules().MaxUserIdsPerProfile);
        Assert.Equal(TimeSpan.FromDays(30), options.Privacy.QuarantinePeriod);
    }

    [Fact]
    public void Configured_blocked_ids_replace_the_built_in_list()
    {
        var options = new DmpOptions { Identity = { BlockedIds = ["guest-0"] } };

        Assert.True(options.Identity.Rules().IsBlocked("GUEST-0"));
        Assert.False(options.Identity.Rules().IsBlocked("null"));
    }

    [Fact]
    public void Bad_identity_and_privacy_settings_are_reported_by_their_keys()
    {
        var options = new DmpOptions
        {
            Identity = { MaxUserIdsPerProfile = 0, MergeTimeout = TimeSpan.Zero },
            Privacy = { QuarantinePeriod = TimeSpan.FromDays(-1) },
        };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Dmp:Identity:MaxUserIdsPerProfile:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Dmp:Identity:MergeTimeout:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Dmp:Privacy:QuarantinePeriod:", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }
}
