using DmpActors.Benchmarks.Infra;
using DmpActors.Domain.Profiles;
using DmpActors.Engine.Serialization;

namespace DmpActors.Benchmarks.Micro;

/// <summary>
/// Managed bytes per profile with full behaviour windows (<see cref="MicroData.FullWindowEvents"/>): N profiles are
/// built and kept, then the heap after a compacting collection is compared with the heap before. Measured three ways:
/// the windows alone, windows + affinities + consent history (the state this feature adds), and the whole profile.
/// </summary>
public static class ProfileMemory
{
    public static int Run(Args args, string command)
    {
        var users = args.Ints("users", [5_000]).Single();
        args.EnsureAllKnown();

        var sample = MicroData.FullWindowsProfile();
        var windows = Measure(users, p => p.Windows);
        var added = Measure(users, p => (p.Windows, p.CategoryAffinity, p.ItemAffinity, p.ConsentHistory));
        var whole = Measure(users, p => p);
        var md = Report.Header($"profile-memory: managed bytes per profile with full windows ({users:N0} profiles)", command) + $"""
            - each profile applies {MicroData.FullWindowEvents(0).Count()} events that fill every bucket (6 a day for 30 days, 4 an hour for the last day, 3 a minute for the last hour) over 8 categories, 4 campaigns and 2,000 items; {sample.Windows.WordCount} bucket words, {sample.Windows.Items.ExactCount} exact distinct items.
            - bytes = `GC.GetTotalMemory(true)` delta after a compacting collection while only that part of each profile is kept (strings for names are shared, as the parser's pool shares them).

            | part | bytes / profile | 1M profiles |
            | --- | ---: | ---: |
            | behaviour windows (incl. distinct items) | {windows:N0} B | {windows * 1e6 / (1 << 30):0.00} GiB |
            | windows + affinities + consent history | {added:N0} B | {added * 1e6 / (1 << 30):0.00} GiB |
            | whole UserProfile (incl. the dedupe window: 256 event id hashes) | {whole:N0} B | {whole * 1e6 / (1 << 30):0.00} GiB |
            | ProfileCodec.Encode (v{ProfileCodec.CurrentVersion}) | {ProfileCodec.Encode(sample).Length:N0} B | |
            """;
        Console.WriteLine(md);
        Report.Write("profile-memory", md, command, new { users, windows_bytes = windows, windows_affinities_consent_bytes = added, whole_profile_bytes = whole, encoded_bytes = ProfileCodec.Encode(sample).Length });
        return 0;
    }

    /// <summary>Builds each profile, keeps only <paramref name="part"/> of it; the holding array is not counted.</summary>
    private static double Measure<T>(int users, Func<UserProfile, T> part)
    {
        var kept = new T[users];
        var before = Settle();
        for (var u = 0; u < users; u++) kept[u] = part(MicroData.FullWindowsProfile(u));
        var after = Settle();
        GC.KeepAlive(kept);
        return (after - before) / (double)users;
    }

    private static long Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
