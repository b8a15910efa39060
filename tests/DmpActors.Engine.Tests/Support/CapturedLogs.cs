using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DmpActors.Engine.Tests.Support;

/// <summary>Every log line of an engine ("Level Category: message exception"), for tests that read what was said.</summary>
public sealed class CapturedLogs(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public CapturedLogs() : this(new ConcurrentQueue<string>()) { }

    public ConcurrentQueue<string> Lines { get; } = lines;

    public ILoggerFactory Factory(LogLevel minimum = LogLevel.Debug) => LoggerFactory.Create(b => b.SetMinimumLevel(minimum).AddProvider(this));

    public ILogger CreateLogger(string category) => new Logger(category, Lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel level) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? error, Func<TState, Exception?, string> format) =>
            lines.Enqueue($"{level} {category}: {format(state, error)} {error}");
    }
}
