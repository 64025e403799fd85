using System.Net.Sockets;
using System.Text;

namespace Innernet.Server.Tests;

/// <summary>
/// The local admin socket refuses other users twice over: the socket file is 0600 (connect() fails), and a
/// connection that gets through anyway (the file mode loosened) is checked by SO_PEERCRED, closed without an
/// answer and logged. Needs root to act as another user.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class LocalAdminRefusalTests : IDisposable
{
    private const string Request = "GET /v1/admin/peers HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("inn-api-").FullName;

    private string SocketPath => Path.Combine(_directory, "admin.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task OtherUser_IsRefusedByTheFileMode()
    {
        RequirePrerequisites();
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        OpenDirectoryToEveryone();

        var error = Assert.Throws<SocketException>(() => OtherUser.ConnectUnix(SocketPath, OtherUser.Nobody));

        Assert.Equal(SocketError.AccessDenied, error.SocketErrorCode);
    }

    [Fact]
    public async Task OtherUser_ThroughALoosenedFileMode_IsClosedWithoutAnswer_AndLogged()
    {
        RequirePrerequisites();
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        OpenDirectoryToEveryone();
        // Group too: the connecting thread keeps root's groups, which match the file's group.
        File.SetUnixFileMode(SocketPath, File.GetUnixFileMode(SocketPath)
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        using var socket = OtherUser.ConnectUnix(SocketPath, OtherUser.Nobody);
        string answer = await SendAndReadToEndAsync(socket);

        Assert.Equal(string.Empty, answer);
        Assert.Contains(server.Logs.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal)
            && l.Contains($"Refused a local admin socket connection from uid {OtherUser.Nobody} (server runs as uid 0)",
                StringComparison.Ordinal));
        Assert.DoesNotContain(server.Logs.Lines, l => l.Contains("/v1/admin/peers", StringComparison.Ordinal));

        // The server's own user is still served on the same socket.
        using var own = OtherUser.ConnectUnix(SocketPath, 0);
        Assert.StartsWith("HTTP/1.1 200 OK", await SendAndReadHeadAsync(own), StringComparison.Ordinal);
    }

    private static void RequirePrerequisites()
    {
        Prerequisites.RequireRoot();
        Prerequisites.Require(OtherUser.IsSupported, "needs the setresuid system call number of this architecture (x86-64 or arm64)");
    }

    /// <summary>The temp directory is 0700; other users must be able to reach the socket file for the test to mean anything.</summary>
    private void OpenDirectoryToEveryone()
        => File.SetUnixFileMode(_directory, File.GetUnixFileMode(_directory) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);

    /// <summary>Sends the request and reads until the server closes (empty when closed without a byte); bounded by 10 s.</summary>
    private static async Task<string> SendAndReadToEndAsync(Socket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(Request), SocketFlags.None, timeout.Token);
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (SocketException e)
            when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            // Closed by the server, possibly before it read the request.
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    /// <summary>Sends the request and returns the first bytes of the answer.</summary>
    private static async Task<string> SendAndReadHeadAsync(Socket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.ASCII.GetBytes(Request), SocketFlags.None, timeout.Token);
        var buffer = new byte[64];
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }
}
