using System.Net.Http.Headers;
using System.Net.Sockets;
using Innernet.Core.Api;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// One API GET over HTTP/1.1 keep-alive connections opened by a custom connect: TCP sockets created inside a
/// peer's network namespace (a socket keeps the namespace it was made in, so every request crosses that peer's
/// real tunnel), or the server's local admin Unix socket (the same server, no tunnel: the control).
/// </summary>
internal sealed class BenchHttpClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http;
    private readonly Uri _target;
    private readonly string _serverKey;

    private BenchHttpClient(
        Uri target, Func<DnsEndPoint, CancellationToken, ValueTask<Stream>> connect, WireGuardKey serverPublicKey, int connections, TimeSpan? connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            ConnectTimeout = connectTimeout ?? Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            ConnectCallback = (context, token) => connect(context.DnsEndPoint, token),
        };
        _http = new HttpClient(handler) { Timeout = RequestTimeout };
        _target = target;
        _serverKey = serverPublicKey.ToBase64();
    }

    /// <summary><c>GET /v1/user/state</c> from inside <paramref name="namespacePath"/>.</summary>
    /// <param name="connectTimeout">Limit for opening a connection (the start-up probe gives up quickly while the tunnel is not up); none by default.</param>
    public static BenchHttpClient State(
        string namespacePath, IPEndPoint api, WireGuardKey serverPublicKey, int connections, TimeSpan? connectTimeout = null)
        => new(new Uri($"http://{api}/v1/user/state"), async (endpoint, token) =>
        {
            var socket = NetworkNamespace.Run(namespacePath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            try
            {
                socket.NoDelay = true; // what SocketsHttpHandler does for its own sockets
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(endpoint.Host), endpoint.Port), token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }, serverPublicKey, connections, connectTimeout);

    /// <summary><c>GET /v1/admin/peers</c> (every peer) over the running server's local admin socket.</summary>
    public static BenchHttpClient AdminPeers(string socketPath, WireGuardKey serverPublicKey)
        => new(new Uri("http://localhost/v1/admin/peers"), (_, token) => ConnectUnixAsync(socketPath, token), serverPublicKey, 1, null);

    /// <summary>A connection to the server's local admin Unix socket.</summary>
    public static async ValueTask<Stream> ConnectUnixAsync(string socketPath, CancellationToken token)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One request; reads the whole body into <paramref name="buffer"/> chunks and returns its length.</summary>
    /// <exception cref="InvalidOperationException">The server answered something other than 200.</exception>
    public async Task<long> GetAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        using var request = Request();
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        EnsureOk(response);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>One request, body kept (to check what the server answered).</summary>
    public async Task<byte[]> GetBodyAsync(CancellationToken cancellationToken)
    {
        using var request = Request();
        using var response = await _http.SendAsync(request, cancellationToken);
        EnsureOk(response);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Request()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _target);
        request.Headers.Add(InnernetApiClient.ServerKeyHeader, _serverKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private void EnsureOk(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {_target.AbsolutePath} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
    }
}
