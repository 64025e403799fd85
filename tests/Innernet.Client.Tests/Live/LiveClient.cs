using Innernet.Client.Tests.Fakes;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;
using Innernet.Core.Live;
using Innernet.Netlink.WireGuard;

namespace Innernet.Client.Tests.Live;

/// <summary>
/// One <c>inn up --daemon</c> session (<see cref="LiveSession"/>) against the real server (<see cref="InProcessServer"/>):
/// its own config, cache and hosts file in temp directories, its API socket bound to its own loopback address, the
/// in-memory WireGuard device. <see cref="RestartAsync"/> stops the session and starts a new one on the same files
/// and device (a daemon restarted); <see cref="DisposeAsync"/> stops it and deletes the files.
/// </summary>
internal sealed class LiveClient : IAsyncDisposable
{
    public const string Iface = InProcessServer.NetworkName;

    private readonly Func<LiveSession> _newSession;
    private CancellationTokenSource _stop = NewStop();
    private Task? _run;

    public LiveClient(
        InProcessServer server,
        IPAddress ip,
        KeyPair keys,
        TimeProvider? time = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        bool natTraversal = false)
    {
        Ip = ip;
        Keys = keys;
        NatTraversal = natTraversal;
        server.ClientConfig(ip, keys).Save(Files.ConfigFile(Iface));
        var layer = new SynchronizedInterfaceLayer(Layer);
        _newSession = () => new LiveSession(layer, null, InProcessServer.ApiFromConfig, time, delay, static e => e.TryGetIPEndPoint())
        {
            FlushDelay = TimeSpan.FromMilliseconds(20),
        };
        Session = _newSession();
    }

    public IPAddress Ip { get; }

    /// <summary>The server's public key (the server peer on the device), when a test needs to find it.</summary>
    public WireGuardKey? ServerKey { get; init; }

    public KeyPair Keys { get; }

    public bool NatTraversal { get; }

    public ClientFiles Files { get; } = new();

    public FakeInterfaceLayer Layer { get; } = new();

    public LiveSession Session { get; private set; }

    /// <summary>The keys on this client's WireGuard device.</summary>
    public IReadOnlySet<WireGuardKey> DeviceKeys => Layer.Fake.PeerKeys(Iface);

    public string StatusPath => LiveStatusFile.PathFor(Files.DataDirectory, Iface);

    /// <summary>True when the session ended by itself (it runs until disposed).</summary>
    public bool Died => _run is { IsCompleted: true } && !_stop.IsCancellationRequested;

    public void Start() => _run = Session.RunAsync(Request(Iface, Files, NatTraversal), _stop.Token);

    /// <summary>What <c>inn up --daemon</c> asks for one network whose files are in <paramref name="files"/>.</summary>
    public static FetchRequest Request(string iface, ClientFiles files, bool natTraversal) => new()
    {
        InterfaceName = iface,
        ConfigDirectory = files.ConfigDirectory,
        DataDirectory = files.DataDirectory,
        Hosts = new HostsOptions { Path = files.HostsPath },
        Nat = new NatOptions { NoTraversal = !natTraversal },
        BringUp = true,
    };

    /// <summary>Waits for <paramref name="condition"/>, failing at once when the session died.</summary>
    public Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) => Eventually.TrueAsync(
        () => Died ? throw new InvalidOperationException($"the session of {Ip} ended", _run!.Exception) : condition(), what, timeout);

    /// <summary>Stops the session (as SIGTERM does) and starts a new one on the same files and device.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        _stop = NewStop();
        Session = _newSession();
        Start();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Files.Dispose();
    }

    private static CancellationTokenSource NewStop() =>
        CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    private async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run;
            _run = null;
        }

        _stop.Dispose();
    }
}
