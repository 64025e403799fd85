namespace Innernet.Netlink.Tests.Uapi;

/// <summary>A temp socket directory and the fake UAPI servers a test starts in it, all removed on dispose.</summary>
internal sealed class FakeUapiServers : IDisposable
{
    private readonly List<IDisposable> _servers = [];

    public UapiTempDirectory Directory { get; } = new();

    /// <summary>Starts a server for device <paramref name="name"/> (its socket is <c>name.sock</c>).</summary>
    public FakeUapiServer Serve(string name, Func<string, byte[]?> respond, bool holdOpen = false) =>
        Track(new FakeUapiServer(Directory.File(name + ".sock"), respond, holdOpen));

    /// <summary>Disposes <paramref name="server"/> with the rest.</summary>
    public T Track<T>(T server)
        where T : IDisposable
    {
        _servers.Add(server);
        return server;
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }

        Directory.Dispose();
    }
}
