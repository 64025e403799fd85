using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Innernet.Core.Api;

/// <summary>Settings of an <see cref="InnernetApiClient"/>.</summary>
public sealed class InnernetApiClientOptions
{
    /// <summary>innernet's HTTP timeout: 10 seconds per request.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The whole-request timeout (connect, send, receive). Default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// Binds the client socket to this source address before connecting (the server identifies peers by the
    /// TCP source IP; tests run several "peers" on loopback addresses). Ignored when <see cref="ConnectCallback"/> is set.
    /// </summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>Opens the connection stream instead of a plain TCP connect (tests: namespaces, fakes).</summary>
    public Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>>? ConnectCallback { get; init; }
}
