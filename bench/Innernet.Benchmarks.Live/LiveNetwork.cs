using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Benchmarks.Live;

/// <summary>
/// The benchmark's network, every address on the host's loopback (127.0.0.0/8 is local, so each peer connects from
/// its own source address with nothing to configure): root <c>127.88.0.0/14</c>, the server <c>127.88.0.1</c>, a
/// small CIDR <c>shared</c> (<c>127.88.1.0/24</c>, the admin peer and the peers the benchmark adds) associated with
/// every team, and teams of <see cref="PeersPerTeam"/> streaming peers (<c>team-k</c> = <c>127.89.k.0/24</c>). A team
/// member sees its team, the server and <c>shared</c>: a change in <c>shared</c> reaches every client, an association
/// between two teams reaches those two teams.
/// </summary>
internal sealed record LiveNetwork(
    string Database,
    WireGuardKey ServerKey,
    IPAddress ServerIp,
    IPAddress AdminIp,
    long SharedCidrId,
    IReadOnlyList<long> TeamCidrIds,
    IReadOnlyList<IPAddress> Clients)
{
    public const int PeersPerTeam = 100;
    private const int MaxTeams = 250;

    private static readonly IPNetwork Root = IPNetwork.Parse("127.88.0.0/14");

    /// <summary>The team of client <paramref name="index"/>.</summary>
    public static int TeamOf(int index) => index / PeersPerTeam;

    /// <summary>An address in <c>shared</c> for the <paramref name="n"/>-th peer the benchmark adds.</summary>
    public static IPAddress SharedPeerIp(int n) => IPAddress.Parse($"127.88.1.{10 + (n % 240)}");

    /// <summary>Builds the network in memory (one fsync'ed commit per row would take long) and writes it to <paramref name="path"/>.</summary>
    public static LiveNetwork Create(string path, int clients)
    {
        int teams = (clients + PeersPerTeam - 1) / PeersPerTeam;
        if (clients < 1 || teams > MaxTeams)
        {
            throw new ArgumentOutOfRangeException(nameof(clients), clients, $"1 to {MaxTeams * PeersPerTeam} clients fit the layout.");
        }

        var serverKey = TestKeys.RandomKey();
        var serverIp = IPAddress.Parse("127.88.0.1");
        var adminIp = IPAddress.Parse("127.88.1.2");
        using var memory = new MemoryStream();
        long sharedId;
        var teamIds = new List<long>();
        var addresses = new List<IPAddress>();
        using (var store = ServerStore.Create(
            memory, new NewNetwork("live", Root, serverIp, serverKey, Endpoint.Parse("192.0.2.1:51820"))))
        {
            var shared = store.AddCidr(new CidrContents("shared", IPNetwork.Parse("127.88.1.0/24"), Cidr.RootId));
            sharedId = shared.Id;
            store.AddPeer(NewPeer("admin", adminIp, shared.Id, isAdmin: true));
            for (int t = 0; t < teams; t++)
            {
                var team = store.AddCidr(new CidrContents($"team-{t}", IPNetwork.Parse($"127.89.{t}.0/24"), Cidr.RootId));
                teamIds.Add(team.Id);
                store.AddAssociation(new AssociationContents(shared.Id, team.Id));
                for (int i = 0; i < PeersPerTeam && addresses.Count < clients; i++)
                {
                    var ip = IPAddress.Parse($"127.89.{t}.{i + 1}");
                    store.AddPeer(NewPeer($"t{t}-p{i}", ip, team.Id));
                    addresses.Add(ip);
                }
            }
        }

        using (var file = new FileStream(
            path,
            new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            memory.Position = 0;
            memory.CopyTo(file);
            file.Flush(flushToDisk: true);
        }

        return new LiveNetwork(path, serverKey, serverIp, adminIp, sharedId, teamIds, addresses);
    }

    /// <summary>A redeemed, enabled peer with a random key (every other field at its default).</summary>
    public static PeerContents NewPeer(string name, IPAddress ip, long cidrId, bool isAdmin = false)
        => new() { Name = name, Ip = ip, CidrId = cidrId, PublicKey = TestKeys.RandomKey(), IsAdmin = isAdmin, IsRedeemed = true };
}
