using System.Diagnostics;
using System.Text;

namespace DmpActors.Deploy.Tests.Support;

/// <summary>The host as a real process (dotnet DmpActors.Host.dll) with its own environment and working directory.</summary>
public sealed class HostCommand : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private HostCommand(Process process) => _process = process;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    public bool HasExited => _process.HasExited;

    public static HostCommand Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, string workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DmpActors.Host.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // Only what the test sets: nothing inherited may choose a profile, a key or a listen address.
        foreach (var name in info.Environment.Keys.Where(IsHostSetting).ToList()) info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        var command = new HostCommand(Process.Start(info)!);
        command._process.OutputDataReceived += (_, e) => { lock (command._stdout) command._stdout.AppendLine(e.Data); };
        command._process.ErrorDataReceived += (_, e) => { lock (command._stderr) command._stderr.AppendLine(e.Data); };
        command._process.BeginOutputReadLine();
        command._process.BeginErrorReadLine();
        return command;
    }

    /// <summary>Waits for the process to end (a hang guard, not a speed check) and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _process.WaitForExitAsync(guard.Token);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    private static bool IsHostSetting(string name) =>
        name.StartsWith("DMP_", StringComparison.OrdinalIgnoreCase)
        || name.Equals("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase)
        || name.Equals("URLS", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
