using System.Diagnostics;
using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Keys;
using Innernet.Core.Live;
using Innernet.Core.Model;
using Innernet.Core.Sync;
using Innernet.Netlink.Route;
using Innernet.Testing;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// <c>live-apply [peers] [changes]</c>: the client's cost of applying one difference of the state stream (one peer's
/// endpoint changed) to a held view of <c>peers</c> peers, in process, on the in-memory WireGuard fake: the answer
/// rules, the pins, the per-peer device diff, the device update and the view's bookkeeping, without the hosts file
/// and cache write (coalesced, measured apart). Prints the median and p99 wall time per change, the mean CPU time
/// of the process per change (all threads, GC included), and for comparison what re-checking the whole device
/// (the poll path's diff, without JSON) costs.
/// </summary>
internal static class LiveApplyBench
{
    private const string Iface = "benchlive";

    public static async Task<int> RunAsync(string[] args)
    {
        int peers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        int changes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5_000;
        string root = Directory.CreateTempSubdirectory("live-apply-bench-").FullName;
        try
        {
            var serverKeys = KeyPair.Generate();
            var ownKeys = KeyPair.Generate();
            var serverIp = IPAddress.Parse("10.80.0.1");
            var config = new InterfaceConfig
            {
                Interface = new InterfaceInfo(Iface, new InterfaceAddress(IPAddress.Parse("10.80.0.2"), 16), ownKeys.Private),
                Server = new ServerInfo(serverKeys.Public, Endpoint.Parse("127.0.0.1:51820"), new IPEndPoint(serverIp, 51820)),
            };
            var list = new List<Peer>
            {
                new() { Id = 1, Name = "innernet-server", Ip = serverIp, CidrId = 1, PublicKey = serverKeys.Public, IsRedeemed = true },
                new() { Id = 2, Name = "me", Ip = IPAddress.Parse("10.80.0.2"), CidrId = 1, PublicKey = ownKeys.Public, IsRedeemed = true },
            };
            for (int i = 0; i < peers; i++)
            {
                list.Add(new Peer
                {
                    Id = 10 + i, Name = $"peer{i}", Ip = new IPAddress([10, 80, (byte)(i / 250 + 1), (byte)(i % 250 + 2)]), CidrId = 1,
                    PublicKey = KeyPair.Generate().Public, PersistentKeepaliveInterval = 25, IsRedeemed = true,
                    Endpoint = Endpoint.Parse($"192.0.2.{i % 250 + 1}:51820"),
                });
            }

            var state = new State(list, [new Cidr(1, Iface, IPNetwork.Parse("10.80.0.0/16"), null)]);
            var now = DateTimeOffset.UtcNow;
            using var wireGuard = new InMemoryWireGuard();
            wireGuard.CreateDevice(Iface);
            wireGuard.ConfigureDevice(Iface, PeerDiff.Compute(list, null, ownKeys.Public, now).Config);
            var store = DataStore.Open(Path.Combine(root, Iface + ".json"));
            store.UpdatePeersAndSetCidrs(list, state.Cidrs);
            var view = new LiveView(Iface, config, store, state, "v0", wireGuard.GetDevice(Iface)!);

            var random = new Random(1);
            var wall = new List<double>(changes);
            string load = ProcessInfo.LoadAverage();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < changes; i++)
            {
                var target = view.Peers.ById(10 + random.Next(peers))!;
                var changed = target with { Endpoint = Endpoint.Parse($"198.51.100.{i % 250 + 1}:{40000 + (i % 20000)}") };
                var update = new StateUpdate($"v{i + 1}", $"v{i}", false, [changed], [], null);
                long start = Stopwatch.GetTimestamp();
                await view.ApplyAsync(update, wireGuard, now, static e => e.TryGetIPEndPoint(), TimeSpan.FromSeconds(3));
                wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            double cpuPerChange = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / changes;
            long flushStart = Stopwatch.GetTimestamp();
            view.Flush(new Core.Fetch.HostsOptions { Write = false });
            double flushMs = Stopwatch.GetElapsedTime(flushStart).TotalMilliseconds;
            var whole = Stats.MedianMs(7, () =>
            {
                var peersNow = view.ToState().Peers;
                _ = PeerDiff.Compute(peersNow, wireGuard.GetDevice(Iface), ownKeys.Public, now);
            });

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"live apply, {peers} peers, {changes} one-peer differences, 1-min load {load} -> {ProcessInfo.LoadAverage()}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  wall per change: median {Stats.Median(wall):0.000} ms, p99 {Stats.Percentile(wall, 99):0.000} ms, max {wall.Max():0.000} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  process CPU per change (all threads, GC included): {cpuPerChange:0.000} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  device updates: {wireGuard.Updates.Count - 1}, peers in them: {wireGuard.Updates.Skip(1).Sum(u => u.Config.Peers.Count)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  the coalesced cache write after them: {flushMs:0.0} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  for comparison, a whole-device re-check (PeerDiff.Compute over the view): median {whole:0.00} ms"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
