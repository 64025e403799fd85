using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Innernet.Server.Tests.Support;

/// <summary>
/// HTTP/1.1 written by hand, for requests HttpClient would normalize (percent-escapes, chunked bodies,
/// missing Content-Length). One request per connection (<c>Connection: close</c>).
/// </summary>
internal static class RawHttp
{
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        /// <summary>Every byte the server sent on the connection: status line, headers and body.</summary>
        public int WireBytes { get; init; }
    }

    /// <summary>Sends a request from <paramref name="source"/> with the right server key unless <paramref name="headers"/> says
    /// otherwise.</summary>
    public static async Task<Response> SendAsync(
        ApiServer server, IPAddress source, string method, string target, string? extraHeaders = null, byte[]? rawBody = null,
            bool withKey = true, bool closeAfterSend = false)
    {
        var request = new StringBuilder();
        request.Append(CultureInfo.InvariantCulture, $"{method} {target} HTTP/1.1\r\nHost: server\r\nConnection: close\r\n");
        if (withKey)
        {
            request.Append(CultureInfo.InvariantCulture, $"X-Innernet-Server-Key: {server.ServerKey.ToBase64()}\r\n");
        }

        request.Append(extraHeaders ?? string.Empty).Append("\r\n");
        byte[] head = Encoding.ASCII.GetBytes(request.ToString());

        using var socket = server.NewSocket(source.AddressFamily);
        socket.Bind(new IPEndPoint(source, 0));
        var ct = TestContext.Current.CancellationToken;
        await socket.ConnectAsync(server.EndPoint, ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(head, ct);
        if (rawBody is not null)
        {
            await stream.WriteAsync(rawBody, ct);
        }

        if (closeAfterSend)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        using var buffer = new MemoryStream();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                await stream.CopyToAsync(buffer, timeout.Token);
            }
            catch (IOException e) when (closeAfterSend
                && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
            {
                // After a half-close the server may drop the connection with a reset instead of a FIN: that is a drop
                // too, and whatever arrived before it is the answer.
            }
        }

        return Parse(buffer.ToArray());
    }

    /// <summary>The response; status 0 with no headers when the server closed the connection without answering.</summary>
    private static Response Parse(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return new Response(0, new Dictionary<string, string>(), []);
        }

        int end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end > 0, $"no complete HTTP response head in {bytes.Length} bytes: '{Encoding.ASCII.GetString(bytes)}'");
        string[] lines = Encoding.ASCII.GetString(bytes, 0, end).Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        byte[] body = bytes[(end + 4)..];
        if (headers.TryGetValue("Content-Length", out string? length))
        {
            body = body[..int.Parse(length, CultureInfo.InvariantCulture)];
        }

        return new Response(status, headers, body) { WireBytes = bytes.Length };
    }
}
