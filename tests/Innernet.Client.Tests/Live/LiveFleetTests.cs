using Innernet.Core.Api;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Client.Tests.Live;

/// <summary>
/// The bounded sibling of <c>./build.sh bench live</c> (which runs 1,000 and 10,000 clients and measures time): real
/// Kestrel and the real store (<see cref="InProcessServer"/>), <see cref="Clients"/> <c>inn up --daemon</c> sessions
/// each on its own loopback address with its own peer, cache, hosts file and in-memory device. Every admin change of
/// the benchmark goes through the admin API over HTTP; the test asserts what each client's device, view and hosts file
/// hold afterwards, not how fast (the benchmark measures that). It runs alone (its own collection, no parallel
/// tests), so 120 sessions do not starve the timing-sensitive tests beside it.
/// </summary>
[Collection(nameof(LiveFleetTests))]
[CollectionDefinition(nameof(LiveFleetTests), DisableParallelization = true)]
public sealed class LiveFleetTests
{
    private const int Clients = 120;
    private const int OtherPeers = 3;

    /// <summary>Generous: the machine may be busy; this bounds a hang, it does not measure.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AdminChanges_ReachEveryClientsDevice_OverItsStream_WithoutAFetch()
    {
        await using var server = await InProcessServer.StartAsync();
        var admins = server.AddCidr("admins", "127.42.1.0/24");
        var fleet = server.AddCidr("fleet", "127.42.16.0/20");
        var other = server.AddCidr("other", "127.42.32.0/24");
        var admin = server.AddPeer("admin", "127.42.1.2", admins.Id, admin: true).Peer;
        var others = Enumerable.Range(0, OtherPeers).Select(i =>
            server.AddPeer($"other-{i}", $"127.42.32.{10 + i}", other.Id).Peer).ToArray();
        var members = Enumerable.Range(0, Clients)
            .Select(i => (Name: $"c{i}", Ip: IPAddress.Parse($"127.42.{16 + (i / 200)}.{10 + (i % 200)}")))
            .Select(m => (m.Name, server.AddPeer(m.Name, m.Ip.ToString(), fleet.Id)))
            .ToArray();
        var fleetKeys = members.Select(m => m.Item2.Peer.PublicKey).ToHashSet();
        var clients = members.Select(m => new LiveClient(server, m.Item2.Peer.Ip, m.Item2.Keys)).ToArray();
        try
        {
            foreach (var client in clients)
            {
                client.Start();
            }

            // Before: every client holds its fleet (itself excluded) and nothing else but the server.
            await AllAsync(clients, c => c.Session.View is not null && Holds(c, fleetKeys, server.ServerKeys.Public),
                "every client's first full view");
            using var api = server.ApiFor(admin.Ip);

            // 1. A new peer in the fleet: on every device.
            var newcomerKey = KeyPair.Generate().Public;
            var newcomer = await api.AddPeerAsync(new PeerContents
            {
                Name = "newcomer",
                Ip = IPAddress.Parse("127.42.31.250"),
                CidrId = fleet.Id,
                PublicKey = newcomerKey,
                IsRedeemed = true,
            }, TestContext.Current.CancellationToken);
            await AllAsync(clients, c => c.DeviceKeys.Contains(newcomerKey), "the new peer on every device");

            // 2. Disabled (innernet's DELETE, a soft delete): gone from every device.
            await api.DeletePeerAsync(newcomer.Id, TestContext.Current.CancellationToken);
            await AllAsync(clients, c => !c.DeviceKeys.Contains(newcomerKey), "the disabled peer off every device");

            // 3. fleet <-> other: every client gets the other CIDR's peers.
            var otherKeys = others.Select(p => p.PublicKey).ToArray();
            await api.AddAssociationAsync(new AssociationContents(fleet.Id, other.Id), TestContext.Current.CancellationToken);
            await AllAsync(clients, c => otherKeys.All(c.DeviceKeys.Contains), "the associated CIDR's peers on every device");

            // 4. The association deleted: they leave every device again.
            var association = Assert.Single(await api.ListAssociationsAsync(TestContext.Current.CancellationToken));
            await api.DeleteAssociationAsync(association.Id, TestContext.Current.CancellationToken);
            await AllAsync(clients, c => Holds(c, fleetKeys, server.ServerKeys.Public), "the associated peers off every device");

            // Afterwards, the content on every client: exactly the fleet on the device (and the server), the newcomer and
            // the other CIDR nowhere; all four changes came as differences on the one stream the client opened (no
            // reconnect, no second full view); the hosts file names the fleet and not the disabled peer.
            foreach (var client in clients)
            {
                Assert.True(Holds(client, fleetKeys, server.ServerKeys.Public), $"{client.Ip}: {string.Join(", ", client.DeviceKeys)}");
                Assert.Equal(1, client.Session.StreamsOpened);
                Assert.Equal(1, client.Session.FullViewsApplied);
                Assert.True(client.Session.DifferencesApplied >= 4, $"{client.Ip}: {client.Session.DifferencesApplied} differences");
                Assert.DoesNotContain(client.Session.View!.Peers.All, p => others.Any(o => o.Id == p.Id));
                Assert.True(client.Session.View.Peers.ById(newcomer.Id) is null or { IsDisabled: true });
            }

            await AllAsync(clients, c => HostsNames(c, "c0.") && HostsNames(c, $"c{Clients - 1}.") && !HostsNames(c, "newcomer."),
                "every hosts file to name the fleet and not the disabled peer");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>The device holds exactly the fleet's other peers and the server.</summary>
    private static bool Holds(LiveClient client, HashSet<WireGuardKey> fleet, WireGuardKey server)
    {
        var keys = client.DeviceKeys;
        return keys.Count == fleet.Count && keys.Contains(server) && fleet.All(k => k == client.Keys.Public || keys.Contains(k));
    }

    private static bool HostsNames(LiveClient client, string name)
        => File.Exists(client.Files.HostsPath) && File.ReadAllText(client.Files.HostsPath).Contains(name, StringComparison.Ordinal);

    private static Task AllAsync(IReadOnlyList<LiveClient> clients, Func<LiveClient, bool> condition, string what)
    {
        var pending = clients.ToList();
        return Eventually.TrueAsync(
            () =>
            {
                if (pending.Find(c => c.Died) is { } dead)
                {
                    throw new InvalidOperationException($"the session of {dead.Ip} ended while waiting for {what}");
                }

                pending.RemoveAll(c => condition(c));
                return pending.Count == 0;
            },
            what,
            Settle);
    }
}
