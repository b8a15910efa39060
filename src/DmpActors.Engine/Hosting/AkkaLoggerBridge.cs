using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using DmpActors.Engine.Observability;

namespace DmpActors.Engine.Hosting;

/// <summary>Forwards Akka's log events to Microsoft.Extensions.Logging, so there is one log.</summary>
public sealed class AkkaLoggerBridge : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    /// <summary>Set before the ActorSystem starts; Akka creates loggers by type name, so DI cannot reach them.</summary>
    public static ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    public AkkaLoggerBridge()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Log);
    }

    private static void Log(LogEvent e)
    {
        // A user entity's actor path carries its user id, which may be an email address: log its reference instead.
        var logger = LoggerFactory.CreateLogger(LogRedaction.RedactActorPaths(e.LogSource ?? "Akka"));
        var level = e.LogLevel() switch
        {
            Akka.Event.LogLevel.DebugLevel => Microsoft.Extensions.Logging.LogLevel.Debug,
            Akka.Event.LogLevel.InfoLevel => Microsoft.Extensions.Logging.LogLevel.Information,
            Akka.Event.LogLevel.WarningLevel => Microsoft.Extensions.Logging.LogLevel.Warning,
            _ => Microsoft.Extensions.Logging.LogLevel.Error,
        };
        if (!logger.IsEnabled(level)) return;
        var cause = e is Error error ? error.Cause : e is Warning w ? w.Cause : null;
#pragma warning disable CA2254 // Akka already formatted the message
        logger.Log(level, cause, e.Message?.ToString() is { } message ? LogRedaction.RedactActorPaths(message) : null);
#pragma warning restore CA2254
    }
}
