using Microsoft.Extensions.Logging;

namespace DmpActors.Benchmarks.Infra;

/// <summary>Prints warnings and errors from the engine to stderr (a restarted stream must not go unnoticed).</summary>
public sealed class ConsoleWarnings : ILoggerProvider, ILogger
{
    public static ILoggerFactory Factory() => LoggerFactory.Create(b => b.AddProvider(new ConsoleWarnings()).SetMinimumLevel(LogLevel.Warning));

    public ILogger CreateLogger(string categoryName) => this;
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        Console.Error.WriteLine($"[{logLevel}] {formatter(state, exception)}{(exception is null ? "" : " :: " + exception.GetBaseException().Message)}");
    }

    public void Dispose() { }
}
