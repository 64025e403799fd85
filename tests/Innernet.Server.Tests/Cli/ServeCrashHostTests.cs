using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Innernet.Core.Contracts;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Server.Cli;
using Innernet.Testing.Networks;

namespace Innernet.Server.Tests.Cli;

/// <summary>
/// The BUILT <c>innernet-server serve</c> (wireguard-go, private namespace) killed with SIGKILL at random moments
/// while clients POST peers over the admin socket, and restarted each time: the database always opens and every
/// peer the clients saw acknowledged (201) is there with its IP and key, in every later start and in a final
/// <c>list-peers</c> that opens the file without the server.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
[Collection(nameof(ServeHostTests))]
public sealed class ServeCrashHostTests : IDisposable
{
    private const int Kills = 20;
    private const int Writers = 3;
    private const int MaxAcknowledgedBeforeKill = 40;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly NetnsLab _lab = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "inn-crash-" + Guid.NewGuid().ToString("N")[..12]);
    private NamespacedProcess? _server;
    private string? _serverInterface;
    private string? _serverNamespace;

    [Fact]
    public async Task Serve_SigkillUnderWriteLoad_KeepsEveryAcknowledgedPeer()
    {
        Prerequisites.RequireWireGuardGo();
        string binary = InnernetBinaries.Server;
        var ct = TestContext.Current.CancellationToken;
        var random = new Random();

        _serverNamespace = _lab.AddNamespace("s");
        string iface = _serverInterface = _lab.InterfaceName("s");
        string etc = Path.Combine(_root, "etc"), lib = Path.Combine(_root, "lib");
        Directory.CreateDirectory(_root);
        string[] dirs = ["-c", etc, "-d", lib, "--backend", "userspace"];
        Cli(binary, ["new", "--network-name", iface, "--network-cidr", "10.98.0.0/16", "--external-endpoint", "198.18.0.1:51820",
            "--listen-port", "51820", .. dirs]);
        Cli(binary, ["add-cidr", iface, "--name", "load", "--cidr", "10.98.16.0/20", "--parent", iface, "--yes", .. dirs]);
        var loadCidr = Assert.Single(
            InnernetJson.Deserialize<IReadOnlyList<Cidr>>(Cli(binary, ["list-cidrs", iface, "--json", .. dirs]).StandardOutput),
            c => c.Name == "load");
        string socketPath = Path.Combine(lib, iface + ".sock");

        var acknowledged = new ConcurrentDictionary<string, Peer>(StringComparer.Ordinal);
        int next = 0;
        for (int round = 0; round < Kills; round++)
        {
            _server = NamespacedProcess.Start(_serverNamespace, binary, ["serve", iface, "--no-write-hosts", .. dirs]);
            await WaitForAsync(() => AdminAnswers(socketPath), TimeSpan.FromSeconds(60), $"the server to come up (round {round})", ct);
            AssertAllPresent(await ListAsync(socketPath, ct), acknowledged, $"after restart {round}");

            int killAfter = acknowledged.Count + 1 + random.Next(MaxAcknowledgedBeforeKill);
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
            {
                using var http = SocketNetworkAdmin.CreateClient(socketPath);
                while (!stop.IsCancellationRequested)
                {
                    int n = Interlocked.Increment(ref next);
                    var contents = NewPeer(n, loadCidr);
                    try
                    {
                        using var body = new ByteArrayContent(InnernetJson.SerializeToUtf8Bytes(contents));
                        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        using var response = await http.PostAsync("peers", body, stop.Token);
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            var peer = InnernetJson.Deserialize<Peer>(await response.Content.ReadAsByteArrayAsync(CancellationToken.None));
                            acknowledged[peer.Name] = peer;
                        }
                        else
                        {
                            string answer = await response.Content.ReadAsStringAsync(CancellationToken.None);
                            Assert.Fail($"POST answered {(int)response.StatusCode}: {answer}");
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                    {
                        // The server was killed under this request: it was never acknowledged.
                        return;
                    }
                }
            }, ct)).ToArray();

            await WaitForAsync(() => acknowledged.Count >= killAfter || writers.Any(w => w.IsCompleted), TimeSpan.FromSeconds(60),
                $"{killAfter} acknowledged writes (round {round})", ct);
            _server.Kill();
            _server.Dispose();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        _server = NamespacedProcess.Start(_serverNamespace, binary, ["serve", iface, "--no-write-hosts", .. dirs]);
        await WaitForAsync(() => AdminAnswers(socketPath), TimeSpan.FromSeconds(60), "the server to come up after the last kill", ct);
        AssertAllPresent(await ListAsync(socketPath, ct), acknowledged, "after the last restart");
        Assert.Equal(0, _server.Stop(TimeSpan.FromSeconds(20)));

        var listed = ServerCommandLineTests.InnernetJsonPeers(Cli(binary, ["list-peers", iface, "--json", .. dirs]).StandardOutput);
        AssertAllPresent(listed, acknowledged, "in list-peers without the server");
        Assert.True(acknowledged.Count >= Kills, $"only {acknowledged.Count} writes were acknowledged in {Kills} rounds");
    }

    public void Dispose() => ServeHostTests.TearDown(_server, _serverInterface, _serverNamespace, _lab, _root);

    private static PeerContents NewPeer(int n, Cidr cidr)
    {
        var address = cidr.Network.BaseAddress.GetAddressBytes();
        address[2] += (byte)(n / 250);
        address[3] = (byte)(1 + (n % 250));
        return new PeerContents
        {
            Name = $"load-{n}",
            Ip = new IPAddress(address),
            CidrId = cidr.Id,
            PublicKey = KeyPair.Generate().Public,
            IsRedeemed = true,
            Candidates = [],
        };
    }

    private static void AssertAllPresent(IReadOnlyList<Peer> stored, ConcurrentDictionary<string, Peer> acknowledged, string when)
    {
        var byName = stored.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var missing = acknowledged.Values
            .Where(a => !byName.TryGetValue(a.Name, out var s) || s.Id != a.Id || !s.Ip.Equals(a.Ip) || s.PublicKey != a.PublicKey)
            .Select(a => a.Name)
            .ToList();
        Assert.True(missing.Count == 0, $"{when}: {missing.Count} of {acknowledged.Count} acknowledged peers missing or changed: "
            + string.Join(", ", missing.Take(10)));
    }

    private static async Task<IReadOnlyList<Peer>> ListAsync(string socketPath, CancellationToken ct)
    {
        using var http = SocketNetworkAdmin.CreateClient(socketPath);
        return InnernetJson.Deserialize<IReadOnlyList<Peer>>(await http.GetByteArrayAsync("peers", ct));
    }

    /// <summary>True once the admin socket answers (a stale socket file from the killed server refuses connections).</summary>
    private static bool AdminAnswers(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static ProcessResult Cli(string binary, string[] args) => ProcessRunner.Run(binary, args,
        TimeSpan.FromSeconds(60)).EnsureSuccess();

    private string ServerLog() => "server log:\n" + _server?.Log;

    private Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken ct)
        => _server!.WaitUntilAsync(condition, timeout, Poll, what, ServerLog, ct);
}
