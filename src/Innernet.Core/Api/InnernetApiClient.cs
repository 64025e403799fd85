using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Api;

/// <summary>
/// The client side of innernet's HTTP API (docs/api.md): <c>http://{internal-endpoint}/v1{path}</c>, plain HTTP/1.1
/// through the WireGuard tunnel, the server's public key in <c>X-Innernet-Server-Key</c> on every request,
/// JSON bodies with a <c>Content-Length</c>, no redirects, a 10 s deadline for the whole exchange (body included)
/// and at most <see cref="MaxResponseBytes"/> of response body. Failures are either an
/// <see cref="ApiTransportException"/> (the server could not be reached) or an <see cref="ApiStatusException"/>
/// (it answered with an error status), or a <see cref="ServerAnswerException"/> (the body is too large). Thread-safe.
/// </summary>
public sealed class InnernetApiClient : IDisposable
{
    /// <summary>The header every request carries: the server's base64 public key (a CSRF stop-gap, not authentication).</summary>
    public const string ServerKeyHeader = "X-Innernet-Server-Key";

    /// <summary>
    /// The largest response body accepted. A full view of a 10,000-peer network is about 2.7 MB; the cap leaves
    /// ample room for growth while keeping a hostile server from exhausting the client's memory.
    /// </summary>
    public const long MaxResponseBytes = 64L * 1024 * 1024;

    private const string JsonMediaType = "application/json";
    private const string StreamMediaType = "application/x-ndjson";
    private const string StreamPath = "user/state/stream";
    private const int ReadChunkBytes = 64 * 1024;

    /// <summary>The keepalive probes a stream request asks its connection for (read by the stream handler's connect).</summary>
    private static readonly HttpRequestOptionsKey<TcpKeepAlive?> KeepAliveOption = new("innernet.keepalive");

    private readonly HttpClient _http;
    private readonly HttpClient _streamHttp;
    private readonly string _serverKey;
    private readonly TimeSpan _timeout;

    /// <summary>A client for the server whose API listens on <paramref name="internalEndpoint"/>.</summary>
    public InnernetApiClient(IPEndPoint internalEndpoint, WireGuardKey serverPublicKey, InnernetApiClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(internalEndpoint);
        options ??= new InnernetApiClientOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero, nameof(options));

        BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{internalEndpoint}/v1/"));
        _http = new HttpClient(NewHandler(options, forStream: false), disposeHandler: true)
        {
            BaseAddress = BaseAddress,
            Timeout = options.Timeout,
        };
        // The stream's body outlives any request timeout: its own client has none (the headers are bounded by a
        // deadline above, the body by the stream's idle timeout). Its own handler too: each stream has a connection of
        // its own, where keepalive probes can be turned on without touching the requests' pooled connections.
        _streamHttp = new HttpClient(NewHandler(options, forStream: true), disposeHandler: true)
        {
            BaseAddress = BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _serverKey = serverPublicKey.ToBase64();
        _timeout = options.Timeout;
    }

    /// <summary>The API root, e.g. <c>http://10.42.0.1:51820/v1/</c>.</summary>
    public Uri BaseAddress { get; }

    // ---- user endpoints ----

    /// <summary><c>GET /v1/user/state</c>: the peers this peer may see, and every CIDR.</summary>
    public Task<State> GetStateAsync(CancellationToken cancellationToken = default)
        => GetAsync<State>("user/state", cancellationToken);

    /// <summary>
    /// <c>GET /v1/user/state</c>, conditional when <paramref name="entityTag"/> is given (<c>If-None-Match</c>, an
    /// extension of this server; innernet ignores the header and answers 200). A 304 is accepted only for a
    /// conditional request.
    /// </summary>
    public async Task<StateAnswer> GetStateAsync(string? entityTag, CancellationToken cancellationToken = default)
    {
        const string path = "user/state";
        var answer = await ExchangeAsync(HttpMethod.Get, path, null, entityTag, cancellationToken).ConfigureAwait(false);
        var state = answer.NotModified ? null : Parse<State>(answer.Body, HttpMethod.Get, path);
        return new StateAnswer(state, answer.EntityTag) { Replicas = answer.Replicas };
    }

    /// <summary><c>GET /v1/user/capabilities</c>; a 404 (a server older than 1.7) means "all false".</summary>
    public async Task<ServerCapabilities> GetCapabilitiesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync<ServerCapabilities>("user/capabilities", cancellationToken).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return new ServerCapabilities();
        }
    }

    /// <summary>
    /// Opens <c>GET /v1/user/state/stream</c> (docs/api.md, "Live updates"), resuming from <paramref name="since"/>
    /// when given. The headers must arrive within the client's timeout; the body is then held open and read through
    /// the returned <see cref="StateStreamReader"/> (whose idle deadline runs on <paramref name="time"/>).
    /// </summary>
    /// <exception cref="ApiStatusException">The server answered an error (401: no longer a member; 404: no stream).</exception>
    /// <exception cref="ApiTransportException">No answer, or an answer that is not an NDJSON stream.</exception>
    /// <exception cref="ArgumentException"><paramref name="since"/> is not a valid version token.</exception>
    public Task<StateStreamReader> OpenStateStreamAsync(
        string? since, TimeProvider? time = null, CancellationToken cancellationToken = default)
        => OpenStateStreamAsync(since, time, keepAlive: null, cancellationToken);

    /// <summary>
    /// <see cref="OpenStateStreamAsync(string?, TimeProvider?, CancellationToken)"/> on a connection with TCP keepalive
    /// probes (<paramref name="keepAlive"/>; none when null), so that a server whose host vanished is noticed long before
    /// the stream's idle bound.
    /// </summary>
    /// <exception cref="ApiStatusException">The server answered an error (401: no longer a member; 404: no stream).</exception>
    /// <exception cref="ApiTransportException">No answer, or an answer that is not an NDJSON stream.</exception>
    /// <exception cref="ArgumentException"><paramref name="since"/> is not a valid version token.</exception>
    public async Task<StateStreamReader> OpenStateStreamAsync(
        string? since, TimeProvider? time, TcpKeepAlive? keepAlive, CancellationToken cancellationToken)
    {
        if (since is not null && StateStreamReader.VersionProblem(since) is { } problem)
        {
            throw new ArgumentException($"The resume version is invalid: {problem}.", nameof(since));
        }

        string path = since is null ? StreamPath : StreamPath + "?since=" + Uri.EscapeDataString(since);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.TryAddWithoutValidation(ServerKeyHeader, _serverKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(StreamMediaType));
        // One stream per connection: a connection with probes never serves another request after the stream.
        request.Headers.ConnectionClose = true;
        request.Options.Set(KeepAliveOption, keepAlive);
        HttpResponseMessage? response = null;
        try
        {
            response = await _streamHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiStatusException(response.StatusCode, "GET", "/v1/" + StreamPath);
            }

            if (response.Content.Headers.ContentType?.MediaType is not StreamMediaType)
            {
                throw new ApiTransportException(
                    $"The innernet server answered GET /v1/{StreamPath} with Content-Type " +
                    $"'{response.Content.Headers.ContentType?.MediaType ?? "(none)"}', not {StreamMediaType}.");
            }

            var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            var stream = new StateStreamReader(response, body, time ?? TimeProvider.System, StateStreamReader.IdleTimeout)
            {
                Replicas = response.Headers.TryGetValues(ReplicaAnnouncement.HeaderName, out var announced)
                    ? ReplicaAnnouncement.Parse(string.Join(",", announced))
                    : null,
            };
            response = null;
            return stream;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw Unreachable(HttpMethod.Get, StreamPath, e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(HttpMethod.Get, StreamPath, $"no answer within {_timeout.TotalSeconds:0.#} s", e);
        }
        finally
        {
            response?.Dispose();
        }
    }

    /// <summary><c>POST /v1/user/redeem</c> with the new permanent public key (204 expected).</summary>
    public Task RedeemAsync(WireGuardKey newPublicKey, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Post, "user/redeem", Body(new RedeemContents(newPublicKey)), cancellationToken);

    /// <summary>
    /// <c>POST /v1/user/rotate-key</c> (an extension; innernet's server answers 404) with the signed step from this
    /// peer's current key to its new one (204 expected).
    /// </summary>
    public Task RotateKeyAsync(KeyRotation rotation, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Post, "user/rotate-key", Body(new RotateKeyContents(rotation)), cancellationToken);

    /// <summary><c>PUT /v1/user/endpoint</c>: set or unset this peer's endpoint override on the server.</summary>
    public Task SetEndpointAsync(EndpointContents contents, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Put, "user/endpoint", Body(contents), cancellationToken);

    /// <summary><c>PUT /v1/user/candidates</c>: replace this peer's NAT candidates (the server refuses more than 10).</summary>
    public Task SetCandidatesAsync(IReadOnlyList<Endpoint> candidates, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Put, "user/candidates", Body(candidates), cancellationToken);

    // ---- admin endpoints ----

    /// <summary>
    /// <c>GET /v1/admin/audit[?since=unix seconds]</c> (an extension; innernet's server answers 404): the admin actions
    /// the server recorded, oldest first.
    /// </summary>
    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(DateTimeOffset? since, CancellationToken cancellationToken = default)
        => GetAsync<IReadOnlyList<AuditEntry>>(
            since is { } s ? string.Create(CultureInfo.InvariantCulture, $"admin/audit?since={s.ToUnixTimeSeconds()}") : "admin/audit",
            cancellationToken);

    /// <summary><c>GET /v1/admin/peers</c>: every peer, disabled and unredeemed ones included.</summary>
    public Task<IReadOnlyList<Peer>> ListPeersAsync(CancellationToken cancellationToken = default)
        => GetAsync<IReadOnlyList<Peer>>("admin/peers", cancellationToken);

    /// <summary><c>POST /v1/admin/peers</c>: creates a peer (an invitation); returns it with its id.</summary>
    public Task<Peer> AddPeerAsync(PeerContents contents, CancellationToken cancellationToken = default)
        => SendAsync<Peer>(HttpMethod.Post, "admin/peers", Body(contents), cancellationToken);

    /// <summary>
    /// <c>PUT /v1/admin/peers/{id}</c>. The server applies name, endpoint, admin, disabled and candidates. Send
    /// the peer's STORED values (not an endpoint the server injected into a listing) with only the intended change.
    /// </summary>
    public Task UpdatePeerAsync(long id, PeerContents contents, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Put, Path("admin/peers", id), Body(contents), cancellationToken);

    /// <summary><c>DELETE /v1/admin/peers/{id}</c>: innernet's soft delete (disables the peer).</summary>
    public Task DeletePeerAsync(long id, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Delete, Path("admin/peers", id), null, cancellationToken);

    /// <summary>
    /// <c>POST /v1/admin/peers/{id}/delete</c> (our extension, docs/api.md): deletes the peer for good; its IP stays
    /// reserved unless <paramref name="releaseIp"/>. innernet 1.7 servers answer 404 (they can only disable).
    /// </summary>
    public Task DeletePeerForGoodAsync(long id, bool releaseIp, CancellationToken cancellationToken = default)
        => SendAsync(
            HttpMethod.Post, Path("admin/peers", id) + (releaseIp ? "/delete?release_ip=true" : "/delete"), null, cancellationToken);

    /// <summary><c>GET /v1/admin/reserved-ips</c> (our extension): IPs new peers may not take yet; none from a server without it
    /// (404).</summary>
    public async Task<IReadOnlyList<ReservedIp>> ListReservedIpsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync<IReadOnlyList<ReservedIp>>("admin/reserved-ips", cancellationToken).ConfigureAwait(false);
        }
        catch (ApiStatusException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    /// <summary><c>GET /v1/admin/cidrs</c>.</summary>
    public Task<IReadOnlyList<Cidr>> ListCidrsAsync(CancellationToken cancellationToken = default)
        => GetAsync<IReadOnlyList<Cidr>>("admin/cidrs", cancellationToken);

    /// <summary><c>POST /v1/admin/cidrs</c>: returns the created CIDR.</summary>
    public Task<Cidr> AddCidrAsync(CidrContents contents, CancellationToken cancellationToken = default)
        => SendAsync<Cidr>(HttpMethod.Post, "admin/cidrs", Body(contents), cancellationToken);

    /// <summary><c>PUT /v1/admin/cidrs/{id}</c> (the server only applies the name).</summary>
    public Task UpdateCidrAsync(long id, CidrContents contents, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Put, Path("admin/cidrs", id), Body(contents), cancellationToken);

    /// <summary><c>DELETE /v1/admin/cidrs/{id}</c> (400 while peers, children or associations refer to it).</summary>
    public Task DeleteCidrAsync(long id, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Delete, Path("admin/cidrs", id), null, cancellationToken);

    /// <summary><c>GET /v1/admin/associations</c>.</summary>
    public Task<IReadOnlyList<Association>> ListAssociationsAsync(CancellationToken cancellationToken = default)
        => GetAsync<IReadOnlyList<Association>>("admin/associations", cancellationToken);

    /// <summary><c>POST /v1/admin/associations</c> (201 with an empty body).</summary>
    public Task AddAssociationAsync(AssociationContents contents, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Post, "admin/associations", Body(contents), cancellationToken);

    /// <summary><c>DELETE /v1/admin/associations/{id}</c>.</summary>
    public Task DeleteAssociationAsync(long id, CancellationToken cancellationToken = default)
        => SendAsync(HttpMethod.Delete, Path("admin/associations", id), null, cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        _streamHttp.Dispose();
        _http.Dispose();
    }

    private static string Path(string collection, long id) => string.Create(CultureInfo.InvariantCulture, $"{collection}/{id}");

    private static ByteArrayContent Body<T>(T value)
    {
        // ByteArrayContent always knows its length, so Content-Length is sent (the server requires it).
        var content = new ByteArrayContent(InnernetJson.SerializeToUtf8Bytes(value));
        content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType);
        return content;
    }

    private Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
        => SendAsync<T>(HttpMethod.Get, path, null, cancellationToken);

    private async Task SendAsync(HttpMethod method, string path, HttpContent? body, CancellationToken cancellationToken)
        => await ExchangeAsync(method, path, body, null, cancellationToken).ConfigureAwait(false);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? body, CancellationToken cancellationToken)
    {
        var answer = await ExchangeAsync(method, path, body, null, cancellationToken).ConfigureAwait(false);
        return Parse<T>(answer.Body, method, path);
    }

    private static T Parse<T>(byte[] bytes, HttpMethod method, string path)
    {
        if (bytes.Length == 0)
        {
            throw new ApiTransportException(
                $"The innernet server sent an empty reply to {method} /v1/{path}; expected a {typeof(T).Name} object.");
        }

        try
        {
            return InnernetJson.Deserialize<T>(bytes);
        }
        catch (JsonException e)
        {
            throw new ApiTransportException($"The innernet server sent invalid JSON for {method} /v1/{path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Sends the request and reads the whole body under one deadline (HttpClient's own timeout ends when the
    /// headers arrive, so a server that stalls in the body would otherwise hang the caller forever). With
    /// <paramref name="ifNoneMatch"/> the request is conditional and a 304 is an answer (with no body), not an error.
    /// </summary>
    private async Task<Exchange> ExchangeAsync(
        HttpMethod method, string path, HttpContent? body, string? ifNoneMatch, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body };
        request.Headers.TryAddWithoutValidation(ServerKeyHeader, _serverKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonMediaType));
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token)
                .ConfigureAwait(false);
            string? entityTag = response.Headers.TryGetValues("ETag", out var tags)
                && tags.ToList() is [var tag] && EntityTag.IsValid(tag) ? tag : null;
            var replicas = response.Headers.TryGetValues(ReplicaAnnouncement.HeaderName, out var announced)
                ? ReplicaAnnouncement.Parse(string.Join(",", announced))
                : null;
            if (response.StatusCode == HttpStatusCode.NotModified && ifNoneMatch is not null)
            {
                return new Exchange([], entityTag, NotModified: true, replicas);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ApiStatusException(response.StatusCode, method.Method, "/v1/" + path);
            }

            byte[] bytes = await ReadBoundedAsync(response.Content, method, path, deadline.Token).ConfigureAwait(false);
            return new Exchange(bytes, entityTag, NotModified: false, replicas);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw Unreachable(method, path, e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(method, path, $"no complete answer within {_timeout.TotalSeconds:0.#} s", e);
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(
        HttpContent content, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is > MaxResponseBytes)
        {
            throw TooLarge(method, path);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            byte[] chunk = new byte[ReadChunkBytes];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                {
                    throw TooLarge(method, path);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    /// <summary>
    /// One answer: the body (empty for a 304), the validated <c>ETag</c>, whether it was a 304, and the announced replicas
    /// (null: no such header).
    /// </summary>
    private readonly record struct Exchange(byte[] Body, string? EntityTag, bool NotModified, IReadOnlyList<Endpoint>? Replicas = null);

    private static ServerAnswerException TooLarge(HttpMethod method, string path)
        => new($"Refusing the server's answer to {method} /v1/{path}: the body is larger than {MaxResponseBytes / (1024 * 1024)} MiB.");

    private ApiTransportException Unreachable(HttpMethod method, string path, string reason, Exception inner)
        => new($"Cannot reach the innernet server at {BaseAddress.Authority} ({method} /v1/{path}): {reason}", inner);

    private static SocketsHttpHandler NewHandler(InnernetApiClientOptions options, bool forStream)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),

            // A body left unread (refused as too large, or a failed request) closes its connection at once instead of
            // being drained: a hostile server must not keep the client reading.
            MaxResponseDrainSize = 0,
        };
        var local = options.LocalAddress;
        var connect = options.ConnectCallback ?? (local is null ? null : (context, ct) => ConnectAsync(local, context.DnsEndPoint, ct));
        if (forStream)
        {
            connect ??= (context, ct) => ConnectAsync(null, context.DnsEndPoint, ct);
            handler.ConnectCallback = async (context, ct) =>
            {
                var stream = await connect(context, ct).ConfigureAwait(false);
                if (context.InitialRequestMessage.Options.TryGetValue(KeepAliveOption, out var keepAlive)
                    && keepAlive is not null && stream is NetworkStream network)
                {
                    keepAlive.Apply(network.Socket);
                }

                return stream;
            };
        }
        else if (connect is not null)
        {
            handler.ConnectCallback = connect;
        }

        return handler;
    }

    /// <summary>A TCP connection to <paramref name="remote"/> (an IP literal), from <paramref name="local"/> when given.</summary>
    private static async ValueTask<Stream> ConnectAsync(IPAddress? local, DnsEndPoint remote, CancellationToken cancellationToken)
    {
        var address = IPAddress.Parse(remote.Host);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (local is not null)
            {
                socket.Bind(new IPEndPoint(local, 0));
            }

            await socket.ConnectAsync(address, remote.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
