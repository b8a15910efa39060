using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace DmpActors.Kafka.Embedded;

/// <summary>
/// Accepts TCP connections on a fixed address and pipes each one to a target endpoint. Mock brokers
/// listen on ephemeral ports and set_host_port only changes what metadata advertises, so a fixed
/// bootstrap address needs a real listener in front of one broker.
/// </summary>
internal sealed class LoopbackForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<IPEndPoint> _target;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _acceptLoop;
    private readonly List<TcpClient> _open = [];

    private LoopbackForwarder(TcpListener listener, Func<IPEndPoint> target, ILogger logger)
    {
        _listener = listener;
        _target = target;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoop);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public static LoopbackForwarder Start(string listenAddress, Func<IPEndPoint> target, ILogger logger)
    {
        var endpoint = ParseEndPoint(listenAddress);
        var listener = new TcpListener(endpoint);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(
                $"Embedded Kafka broker cannot listen on {listenAddress}: {e.SocketErrorCode} ({e.Message}). " +
                "Free the port or configure another ListenAddress (port 0 picks a free one).", e);
        }
        return new LoopbackForwarder(listener, target, logger);
    }

    public static IPEndPoint ParseEndPoint(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address[(colon + 1)..], out var port))
            throw new ArgumentException($"Expected host:port, got '{address}'", nameof(address));
        var host = address[..colon].Trim('[', ']');
        var ip = host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host);
        return new IPEndPoint(ip, port);
    }

    private async Task AcceptLoop()
    {
        while (!_cts.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_cts.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_cts.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning(e, "Forwarder accept failed");
                continue;
            }
            _ = Task.Run(() => Pipe(inbound));
        }
    }

    private async Task Pipe(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        using (inbound)
        {
            try
            {
                inbound.NoDelay = true;
                outbound.NoDelay = true;
                await outbound.ConnectAsync(_target(), _cts.Token).ConfigureAwait(false);
                lock (_open) { _open.Add(inbound); _open.Add(outbound); }
                var a = inbound.GetStream();
                var b = outbound.GetStream();
                // Either direction ending closes both: Kafka connections are full-duplex request/response.
                await Task.WhenAny(a.CopyToAsync(b, _cts.Token), b.CopyToAsync(a, _cts.Token)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                _logger.LogDebug(e, "Forwarded connection ended");
            }
            finally
            {
                lock (_open) { _open.Remove(inbound); _open.Remove(outbound); }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        _listener.Stop();
        lock (_open)
        {
            foreach (var c in _open) c.Dispose();
            _open.Clear();
        }
        await _acceptLoop.ConfigureAwait(false);
        _cts.Dispose();
    }
}
