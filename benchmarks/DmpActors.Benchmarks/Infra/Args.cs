namespace DmpActors.Benchmarks.Infra;

/// <summary>Minimal "--name value" parser; unknown options are an error so typos do not silently run defaults.</summary>
public sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public Args(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (name is not null) _values[name] = "true";
                name = a[2..];
            }
            else if (name is not null)
            {
                _values[name] = a;
                name = null;
            }
            else throw new ArgumentException($"unexpected argument '{a}'");
        }
        if (name is not null) _values[name] = "true";
    }

    public int Int(string name, int fallback)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? int.Parse(v.Replace("_", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    public string? String(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public int[] Ints(string name, int[] fallback)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v)
            ? v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s.Replace("_", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : fallback;
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) && v != "false";
    }

    public void EnsureAllKnown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException("unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
    }
}
