using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace DmpActors.Deploy.Tests.Support;

/// <summary>A parsed YAML value with its path, so a failed lookup says where it looked.</summary>
public sealed class YamlNode(object? value, string path)
{
    public string Path { get; } = path;

    public static YamlNode Load(string relative) => LoadAll(relative).Single();

    /// <summary>Every document of a file ("---" separated); anchors and merge keys (&lt;&lt;: *x) resolved.</summary>
    public static IReadOnlyList<YamlNode> LoadAll(string relative)
    {
        var parser = new MergingParser(new Parser(new StringReader(Repo.Read(relative))));
        var deserializer = new DeserializerBuilder().Build();
        var documents = new List<YamlNode>();
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
            documents.Add(new YamlNode(deserializer.Deserialize<object>(parser), relative));
        return documents;
    }

    public YamlNode this[string key] => Get(key) ?? throw new Xunit.Sdk.XunitException($"{Path} has no '{key}'");

    public YamlNode? Get(string key) =>
        value is Dictionary<object, object> map && map.TryGetValue(key, out var child) ? new YamlNode(child, $"{Path}.{key}") : null;

    public IReadOnlyList<YamlNode> Items =>
        value is List<object> list ? list.Select((v, i) => new YamlNode(v, $"{Path}[{i}]")).ToList()
            : throw new Xunit.Sdk.XunitException($"{Path} is not a list");

    public IReadOnlyList<(string Key, YamlNode Value)> Entries =>
        value is Dictionary<object, object> map ? map.Select(e => ((string)e.Key, new YamlNode(e.Value, $"{Path}.{e.Key}"))).ToList()
            : throw new Xunit.Sdk.XunitException($"{Path} is not a map");

    public string Text => value as string ?? throw new Xunit.Sdk.XunitException($"{Path} is not a scalar");

    public int Int => int.Parse(Text);

    /// <summary>A map of scalars (environment:, data:) as a dictionary.</summary>
    public IReadOnlyDictionary<string, string> Strings => Entries.ToDictionary(e => e.Key, e => e.Value.Text);

    public override string ToString() => Text;
}
