using DmpActors.Domain.Modules;
using DmpActors.Domain.Profiles;

namespace DmpActors.Engine.Serialization;

internal static partial class ProfileSections
{
    /// <summary>The timers the modules scheduled, in (module, key) order.</summary>
    private static void WriteTimers(BinaryWriter w, UserProfile p) =>
        WriteArray(w, p.Timers.All, t =>
        {
            w.Write(t.Module);
            w.Write(t.Key);
            WriteTime(w, t.DueAt);
        });

    private static UserProfile ReadTimers(BinaryReader r, UserProfile p)
    {
        var timers = ReadArray(r, () =>
        {
            var module = r.ReadString();
            var key = r.ReadString();
            return new UserTimer(module, key, ReadTime(r));
        });
        return timers.Length == 0 ? p : p with { Timers = UserTimers.Restore(timers) };
    }
}
