namespace DmpActors.Cli.Admin;

/// <summary>A definition given as --file: a path, or - for stdin.</summary>
public static class DefinitionFile
{
    public static async Task<string> ReadAsync(FileInfo file, CancellationToken ct)
    {
        try
        {
            return file.Name == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(file.FullName, ct);
        }
        catch (IOException e)
        {
            throw new AdminException(AdminClient.ExitFailed, $"cannot read {file.Name}: {e.Message}");
        }
    }
}
