using System.Net;
using DmpActors.Host.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DmpActors.Deploy.Tests.Support;

/// <summary>One in-process node, so deploy files can be checked against the endpoints it really maps.</summary>
public sealed class RunningHost : IDisposable
{
    private readonly DmpHostFactory _factory = new();
    private readonly HttpClient _http;

    public RunningHost() => _http = _factory.CreateClient();

    /// <summary>How long the host waits for its orderly shutdown (the 60 s hand-off included).</summary>
    public TimeSpan ShutdownTimeout => _factory.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;

    public async Task<bool> MapsAsync(string path) => (await _http.GetAsync(path)).StatusCode != HttpStatusCode.NotFound;

    public void Dispose()
    {
        _http.Dispose();
        _factory.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RunningHostCollection : ICollectionFixture<RunningHost>
{
    public const string Name = "running host";
}
