using System.CommandLine;

namespace DmpActors.Cli.Admin;

/// <summary>Runs a command against a node: connects, and turns a failed call into one line on stderr and its exit code.</summary>
public static class AdminAction
{
    public delegate Task<int> Handler(AdminClient node, ParseResult parseResult, TextWriter output, CancellationToken ct);

    public static Command Calls(this Command command, Handler handler)
    {
        command.SetAction(async (parseResult, ct) =>
        {
            using var node = NodeConnection.Connect(parseResult);
            try
            {
                return await handler(node, parseResult, parseResult.InvocationConfiguration.Output, ct);
            }
            catch (AdminException failed)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("dmpctl: " + failed.Message);
                return failed.ExitCode;
            }
        });
        return command;
    }
}
