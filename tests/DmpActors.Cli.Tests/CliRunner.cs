using System.CommandLine;
using System.Text;

namespace DmpActors.Cli.Tests;

/// <summary>Runs dmpctl in-process with stdout and stderr captured.</summary>
internal static class CliRunner
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await Program.BuildRootCommand().Parse(args)
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Starts a long-running command (cluster tail); <see cref="Running.StopAsync"/> is its Ctrl+C.</summary>
    public static Running Start(params string[] args) => new(args);

    public sealed class Running
    {
        private readonly CancellationTokenSource _ctrlC = new();
        private readonly SharedWriter _output = new();
        private readonly SharedWriter _error = new();
        private readonly Task<int> _exit;

        public Running(string[] args) =>
            _exit = Task.Run(() => Program.BuildRootCommand().Parse(args)
                .InvokeAsync(new InvocationConfiguration { Output = _output, Error = _error }, _ctrlC.Token));

        /// <summary>The exit code once the command ends by itself.</summary>
        public Task<int> Exit => _exit;
        public string Output => _output.ToString();
        public string Error => _error.ToString();

        public async Task<int> StopAsync()
        {
            await _ctrlC.CancelAsync();
            return await _exit.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Written by the command while the test reads it.</summary>
    private sealed class SharedWriter : StringWriter
    {
        private readonly Lock _lock = new();
        public override void Write(char value) { lock (_lock) base.Write(value); }
        public override void Write(string? value) { lock (_lock) base.Write(value); }
        public override void WriteLine(string? value) { lock (_lock) base.WriteLine(value); }
        public override string ToString() { lock (_lock) return base.ToString(); }
        public override Encoding Encoding => Encoding.UTF8;
    }
}
