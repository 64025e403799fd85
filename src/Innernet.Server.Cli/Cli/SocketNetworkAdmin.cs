using System.Net;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Innernet.Cli;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Server.Cli;

/// <summary>
/// The running server's admin API (<c>/v1/admin/...</c>) over its local admin Unix socket, where every request
/// counts as the local root admin. The server applies each change to WireGuard at once.
/// </summary>
internal sealed class SocketNetworkAdmin : INetworkAdmin
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly string _socketPath;

    private SocketNetworkAdmin(HttpClient http, string socketPath)
    {
        _http = http;
        _socketPath = socketPath;
    }

    public bool ViaServer => true;

    /// <summary>
    /// Connects when a server answers on <paramref name="socketPath"/>; null when none does (not running, or a stale file).
    /// </summary>
    public static async Task<SocketNetworkAdmin?> TryConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            return null;
        }

        try
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return null;
        }

        return new SocketNetworkAdmin(CreateClient(socketPath), socketPath);
    }

    /// <summary>An HttpClient whose every connection goes to the Unix socket (the host name is ignored).</summary>
    public static HttpClient CreateClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://localhost/v1/admin/"), Timeout = RequestTimeout };
    }

    public Task<IReadOnlyList<Cidr>> ListCidrsAsync(CancellationToken cancellationToken)
        => GetAsync<IReadOnlyList<Cidr>>("cidrs", cancellationToken);

    public Task<IReadOnlyList<Peer>> ListPeersAsync(CancellationToken cancellationToken)
        => GetAsync<IReadOnlyList<Peer>>("peers", cancellationToken);

    public Task<IReadOnlyList<Association>> ListAssociationsAsync(CancellationToken cancellationToken)
        => GetAsync<IReadOnlyList<Association>>("associations", cancellationToken);

    public async Task<Peer> AddPeerAsync(PeerContents contents, CancellationToken cancellationToken)
        => Read<Peer>(await SendAsync(HttpMethod.Post, "peers", Body(contents), cancellationToken).ConfigureAwait(false));

    public async Task SetDisabledAsync(Peer peer, bool disabled, CancellationToken cancellationToken)
        => await SendAsync(HttpMethod.Put, PeerPath(peer), Body(peer.Contents with { IsDisabled = disabled }), cancellationToken)
            .ConfigureAwait(false);

    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(DateTimeOffset? since, CancellationToken cancellationToken)
        => Read<IReadOnlyList<AuditEntry>>(await SendAsync(
            HttpMethod.Get,
            since is { } s ? Invariant($"audit?since={s.ToUnixTimeSeconds()}") : "audit",
            null,
            cancellationToken).ConfigureAwait(false));

    public async Task<IReadOnlyList<ReservedIp>> ListReservedIpsAsync(CancellationToken cancellationToken)
        => Read<IReadOnlyList<ReservedIp>>(await SendAsync(HttpMethod.Get, "reserved-ips", null, cancellationToken).ConfigureAwait(false));

    public async Task DeletePeerAsync(Peer peer, bool releaseIp, CancellationToken cancellationToken)
        => await SendAsync(HttpMethod.Post, $"{PeerPath(peer)}/delete?release_ip={(releaseIp ? "true" : "false")}", null, cancellationToken)
            .ConfigureAwait(false);

    public async Task RenamePeerAsync(Peer peer, string newName, CancellationToken cancellationToken)
        => await SendAsync(HttpMethod.Put, PeerPath(peer), Body(peer.Contents with { Name = newName }), cancellationToken)
            .ConfigureAwait(false);

    public async Task<Cidr> AddCidrAsync(CidrContents contents, CancellationToken cancellationToken)
        => Read<Cidr>(await SendAsync(HttpMethod.Post, "cidrs", Body(contents), cancellationToken).ConfigureAwait(false));

    public async Task RenameCidrAsync(Cidr cidr, string newName, CancellationToken cancellationToken)
        => await SendAsync(HttpMethod.Put, CidrPath(cidr), Body(cidr.Contents with { Name = newName }), cancellationToken)
            .ConfigureAwait(false);

    public async Task DeleteCidrAsync(Cidr cidr, CancellationToken cancellationToken)
        => await SendAsync(HttpMethod.Delete, CidrPath(cidr), null, cancellationToken).ConfigureAwait(false);

    public async Task AddAssociationAsync(AssociationContents contents, CancellationToken cancellationToken)
        => await SendAsync(HttpMethod.Post, "associations", Body(contents), cancellationToken).ConfigureAwait(false);

    public async Task DeleteAssociationAsync(Association association, CancellationToken cancellationToken)
        => await SendAsync(HttpMethod.Delete, Invariant($"associations/{association.Id}"), null, cancellationToken).ConfigureAwait(false);

    public async Task<Peer> ReissueInvitationAsync(
        Peer peer, WireGuardKey newTemporaryKey, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var body = Body(peer.Contents with { PublicKey = newTemporaryKey, InviteExpires = expires });
        return Read<Peer>(await SendUnlessMissingAsync(
                HttpMethod.Post, PeerPath(peer) + "/reissue", body, "reissue-invite", cancellationToken)
            .ConfigureAwait(false));
    }

    public async Task SetServerEndpointAsync(Endpoint endpoint, CancellationToken cancellationToken)
        => await SendUnlessMissingAsync(
                HttpMethod.Put, "server/endpoint", Body(EndpointContents.Set(endpoint)), "set-external-endpoint", cancellationToken)
            .ConfigureAwait(false);

    /// <summary>For routes beyond innernet's admin API: a 404 means this server does not offer the operation.</summary>
    private async Task<byte[]> SendUnlessMissingAsync(
        HttpMethod method, string path, HttpContent content, string verb, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(method, path, content, cancellationToken).ConfigureAwait(false);
        }
        catch (CliUserException e) when (e.Code == ExitCode.NotFound)
        {
            throw new CliUserException(
                $"the running server does not offer '{verb}' on its admin socket ({method} /v1/admin/{path}: {e.Message}); " +
                "stop the server, run the command again (it then edits the database directly) and start the server",
                ExitCode.Failure,
                e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string PeerPath(Peer peer) => Invariant($"peers/{peer.Id}");

    private static string CidrPath(Cidr cidr) => Invariant($"cidrs/{cidr.Id}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static ByteArrayContent Body<T>(T value)
    {
        var content = new ByteArrayContent(InnernetJson.SerializeToUtf8Bytes(value));
        content.Headers.ContentType = Json;
        return content;
    }

    private static T Read<T>(byte[] body) => InnernetJson.Deserialize<T>(body);

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
        => Read<T>(await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false));

    private async Task<byte[]> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliUserException($"the running server did not answer on {_socketPath}: {e.Message}", ExitCode.Failure, e);
        }

        using (response)
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return body;
            }

            string detail = body.Length == 0 ? string.Empty : ": " + ProblemText.Describe(body);
            var code = response.StatusCode switch
            {
                HttpStatusCode.NotFound => ExitCode.NotFound,
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCode.Permission,
                _ => ExitCode.Failure,
            };
            throw new CliUserException(
                Invariant(
                    $"the server refused {method} /v1/admin/{path} ({(int)response.StatusCode} {response.ReasonPhrase}){detail}"),
                code);
        }
    }
}
