using Innernet.Core.Config;
using Innernet.Core.IO;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// Writes what <c>innernet-server new</c> writes (0600 config with a fresh key, a database with the root CIDR, the
/// infra CIDR and the server peer), then grows it through <see cref="ServerStore"/> to a realistic network:
/// <list type="bullet">
/// <item>root <c>10.77.0.0/16</c>; departments <c>dept-d</c> = /20s under the root, teams <c>team-k</c> = /24s under
/// their department, up to <see cref="PeersPerTeam"/> peers each;</item>
/// <item>every 20th peer an unredeemed invitation (expires in 7 days), every 50th disabled, every 100th admin,
/// every 3rd with two NAT candidates; no stored endpoints (so WireGuard on the server stays quiet);</item>
/// <item>associations team-2i ↔ team-2i+1 (a few), and two benchmark peers: <c>bench-a</c> in CIDR <c>bench-a</c>
/// associated with team-0 and team-1 (sees a few hundred peers), <c>bench-b</c> in CIDR <c>bench-b</c> associated
/// with the root (sees every enabled, redeemed peer).</item>
/// </list>
/// Random keys come from a seeded generator (the same shape and sizes every run); the benchmark peers' keys are
/// real X25519 pairs.
/// </summary>
internal static class NetworkPopulator
{
    public const int PeersPerTeam = 250;
    public const ushort ListenPort = 51820;
    private const int TeamsPerDepartment = 16;
    private const int MaxDepartments = 15;
    private const int TeamAssociations = 8;
    private const int KeySize = 32;
    private const int FixedPeers = 3; // the server and the two benchmark peers

    private static readonly IPNetwork Root = IPNetwork.Parse("10.77.0.0/16");

    /// <summary>
    /// The <c>populate ROOT IFACE SIZE</c> verb: the network of <see cref="Create"/> on disk for benchmarks of the
    /// commands (tests/harness/bench-aot.sh), external endpoint 198.18.0.1:51820; also <c>{root}/client/{iface}.conf</c>,
    /// the installed client config of <c>bench-b</c> (sees every peer), for timing <c>inn up</c>; exit code 0.
    /// </summary>
    public static int Write(string root, string iface, string size)
    {
        var external = new IPEndPoint(IPAddress.Parse("198.18.0.1"), ListenPort);
        var network = Create(root, iface, int.Parse(size, CultureInfo.InvariantCulture), external);
        string client = Path.Combine(root, "client");
        AtomicFile.EnsurePrivateDirectory(client);
        new InterfaceConfig
        {
            Interface = new InterfaceInfo(iface, new InterfaceAddress(network.All.Ip, Root.PrefixLength), network.All.PrivateKey),
            Server = new ServerInfo(
                network.ServerPublicKey, Endpoint.FromIPEndPoint(external), new IPEndPoint(network.ServerIp, network.ListenPort)),
        }.Save(Path.Combine(client, iface + ".conf"));
        Console.WriteLine(network.Database);
        return 0;
    }

    /// <summary>Creates <c>{root}/etc/{iface}.conf</c> and <c>{root}/lib/{iface}.db</c> with <paramref name="size"/> peers in total.</summary>
    public static BenchNetwork Create(string root, string iface, int size, IPEndPoint externalEndpoint)
    {
        int fillers = size - FixedPeers;
        int teams = Math.Max(1, (fillers + PeersPerTeam - 1) / PeersPerTeam);
        int departments = (teams + TeamsPerDepartment - 1) / TeamsPerDepartment;
        if (fillers < 0 || departments > MaxDepartments)
        {
            throw new ArgumentOutOfRangeException(
                nameof(size), size, $"Network sizes from {FixedPeers} to {FixedPeers + (MaxDepartments * TeamsPerDepartment * PeersPerTeam)} peers fit the layout.");
        }

        string etc = Path.Combine(root, "etc"), lib = Path.Combine(root, "lib");
        AtomicFile.EnsurePrivateDirectory(etc);
        AtomicFile.EnsurePrivateDirectory(lib);
        var serverKeys = KeyPair.Generate();
        var serverIp = Offset(Root.BaseAddress, 1);
        new ServerConfig(serverKeys.Private, ListenPort, serverIp, Root.PrefixLength).Save(Path.Combine(etc, iface + ".conf"));

        // Built in memory (one fsync'ed commit per row on disk would take 10-20 s at 10,000 peers), then written
        // out as the 0600 file the server opens; the in-process benchmark re-opens that file to prove it is sound.
        using var memory = new MemoryStream();
        BenchNetwork network;
        using (var store = ServerStore.Create(
            memory, new NewNetwork(iface, Root, serverIp, serverKeys.Public, Endpoint.FromIPEndPoint(externalEndpoint))))
        {
            network = Populate(store, size, teams, departments) with { Interface = iface, ConfigDirectory = etc, DataDirectory = lib };
        }

        using var file = new FileStream(
            network.Database,
            new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        memory.Position = 0;
        memory.CopyTo(file);
        file.Flush(flushToDisk: true);
        return network;
    }

    private static BenchNetwork Populate(ServerStore store, int size, int teams, int departments)
    {
        int fillers = size - FixedPeers;
        var random = new Random(size);
        var now = DateTimeOffset.UtcNow;
        var server = store.GetPeer(Peer.ServerId) ?? throw new InvalidOperationException("The new database has no server peer.");

        var benchA = store.AddCidr(new CidrContents("bench-a", Subnet(1, 24), Cidr.RootId));
        var benchB = store.AddCidr(new CidrContents("bench-b", Subnet(2, 24), Cidr.RootId));
        var teamCidrs = new List<Cidr>();
        for (int d = 0; d < departments; d++)
        {
            int firstOctet = TeamsPerDepartment * (d + 1);
            var department = store.AddCidr(new CidrContents($"dept-{d}", Subnet(firstOctet, 20), Cidr.RootId));
            for (int j = 0; j < TeamsPerDepartment && teamCidrs.Count < teams; j++)
            {
                teamCidrs.Add(store.AddCidr(new CidrContents($"team-{teamCidrs.Count}", Subnet(firstOctet + j, 24), department.Id)));
            }
        }

        store.AddAssociation(new AssociationContents(benchA.Id, teamCidrs[0].Id));
        if (teamCidrs.Count > 1)
        {
            store.AddAssociation(new AssociationContents(benchA.Id, teamCidrs[1].Id));
        }

        store.AddAssociation(new AssociationContents(benchB.Id, Cidr.RootId));
        for (int i = 0; i < TeamAssociations && (2 * i) + 1 < teamCidrs.Count; i++)
        {
            store.AddAssociation(new AssociationContents(teamCidrs[2 * i].Id, teamCidrs[(2 * i) + 1].Id));
        }

        var fewHundred = AddBenchPeer(store, "few hundred", "bench-a", benchA);
        var all = AddBenchPeer(store, "all", "bench-b", benchB);

        int redeemed = FixedPeers, unredeemed = 0, disabled = 0;
        for (int i = 0; i < fillers; i++)
        {
            var team = teamCidrs[i / PeersPerTeam];
            bool isInvite = i % 20 == 19;
            bool isDisabled = !isInvite && i % 50 == 49;
            store.AddPeer(new PeerContents
            {
                Name = $"t{i / PeersPerTeam}-p{i % PeersPerTeam}",
                Ip = Offset(team.Network.BaseAddress, (i % PeersPerTeam) + 1),
                CidrId = team.Id,
                PublicKey = RandomKey(random),
                IsAdmin = i % 100 == 7,
                IsDisabled = isDisabled,
                IsRedeemed = !isInvite,
                InviteExpires = isInvite ? now.AddDays(7) : null,
                Candidates = i % 3 == 0 ? Candidates(i) : [],
            });
            unredeemed += isInvite ? 1 : 0;
            disabled += isDisabled ? 1 : 0;
            redeemed += isInvite ? 0 : 1;
        }

        return new BenchNetwork(
            string.Empty, string.Empty, string.Empty, server.PublicKey, server.Ip, ListenPort, fewHundred, all,
            store.ListPeers().Count, store.ListCidrs().Count, store.ListAssociations().Count, redeemed, unredeemed, disabled);
    }

    private static BenchPeer AddBenchPeer(ServerStore store, string label, string name, Cidr cidr)
    {
        var keys = KeyPair.Generate();
        var peer = store.AddPeer(new PeerContents
        {
            Name = name,
            Ip = Offset(cidr.Network.BaseAddress, 1),
            CidrId = cidr.Id,
            PublicKey = keys.Public,
            IsRedeemed = true,
        });
        return new BenchPeer(label, name, peer.Id, peer.Ip, keys.Private, keys.Public);
    }

    /// <summary>Two candidates as clients report them (a LAN address and an IPv6 one); never contacted by anything.</summary>
    private static Endpoint[] Candidates(int i) =>
    [
        Endpoint.Parse(string.Create(CultureInfo.InvariantCulture, $"192.168.{i % 250}.{(i / 250 % 250) + 1}:51820")),
        Endpoint.Parse(string.Create(CultureInfo.InvariantCulture, $"[fd00:77::{i:x}]:51820")),
    ];

    private static WireGuardKey RandomKey(Random random)
    {
        Span<byte> bytes = stackalloc byte[KeySize];
        random.NextBytes(bytes);
        return new WireGuardKey(bytes);
    }

    private static IPNetwork Subnet(int thirdOctet, int prefix)
    {
        byte[] bytes = Root.BaseAddress.GetAddressBytes();
        bytes[2] = checked((byte)thirdOctet);
        return new IPNetwork(new IPAddress(bytes), prefix);
    }

    private static IPAddress Offset(IPAddress network, int host)
    {
        byte[] bytes = network.GetAddressBytes();
        bytes[3] = checked((byte)(bytes[3] + host));
        return new IPAddress(bytes);
    }
}
