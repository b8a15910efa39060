namespace DmpActors.Cli.Admin;

/// <summary>pbm-style output: one row per line, cells separated by " | ", columns padded to line up.</summary>
public static class Table
{
    public static string Format(IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.ToList();
        if (all.Count == 0) return "";
        var columns = all.Max(r => r.Count);
        var widths = Enumerable.Range(0, columns).Select(c => all.Max(r => c < r.Count ? r[c].Length : 0)).ToArray();
        // The last cell is not padded, so lines carry no trailing blanks.
        return string.Join(Environment.NewLine, all.Select(r =>
            string.Join(" | ", r.Select((cell, c) => c == r.Count - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd()));
    }

    public static string Roles(IReadOnlyList<string> roles) => "[" + string.Join(",", roles) + "]";
}
