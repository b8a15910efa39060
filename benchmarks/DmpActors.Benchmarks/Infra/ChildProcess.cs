using System.Diagnostics;

namespace DmpActors.Benchmarks.Infra;

/// <summary>Starts this benchmarks program again with other arguments, whether it runs as an apphost or as "dotnet X.dll".</summary>
public static class ChildProcess
{
    public static ProcessStartInfo Of(params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!);
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") psi.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }
}
