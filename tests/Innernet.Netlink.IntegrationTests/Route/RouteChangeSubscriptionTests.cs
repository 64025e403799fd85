using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Innernet.Netlink.Route;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.Route;

/// <summary>
/// rtnetlink notifications from the host kernel, in a fresh lab namespace: veth links made with <c>ip</c> (the host
/// kernel has no dummy driver), addresses and routes changed through <see cref="RouteNetlinkClient"/>.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class RouteChangeSubscriptionTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private readonly NetnsLab _lab = new();
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (IDisposable owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }

        _lab.Dispose();
    }

    private (string Ns, RouteNetlinkClient Client) Lab()
    {
        Prerequisites.RequireRoot();
        string ns = _lab.AddNamespace("ev");
        var client = NetworkNamespace.Run(NetnsLab.NamespacePath(ns), () => new RouteNetlinkClient());
        _owned.Add(client);
        return (ns, client);
    }

    /// <summary>
    /// A veth pair inside the one namespace, both ends up: it has carrier, so IPv6 addresses are announced without
    /// waiting for it (on a link without carrier the kernel defers an IPv6 address's RTM_NEWADDR). Returns the index
    /// of the first end.
    /// </summary>
    private int AddVeth(string ns, RouteNetlinkClient client, string name, string peer)
    {
        _lab.Exec(ns, "ip", "link", "add", name, "type", "veth", "peer", "name", peer).EnsureSuccess();
        client.SetLinkUp(client.GetLink(peer)!.Index);
        int index = client.GetLink(name)!.Index;
        client.SetLinkUp(index);
        return index;
    }

    private RouteChangeSubscription Subscribe(string ns, int capacity = RouteChangeSubscription.DefaultCapacity, int? buffer = null)
    {
        var subscription = NetworkNamespace.Run(NetnsLab.NamespacePath(ns), () => RouteChangeSubscription.Open(
            RouteChangeGroups.All, capacity, buffer));
        _owned.Add(subscription);
        return subscription;
    }

    /// <summary>Reads events until <paramref name="last"/> matches one (included), failing after <see cref="Limit"/>.</summary>
    private static async Task<List<RouteNetlinkChange>> ReadUntil(RouteChangeSubscription subscription, Func<RouteNetlinkChange, bool> last)
    {
        using var timeout = new CancellationTokenSource(Limit);
        var seen = new List<RouteNetlinkChange>();
        try
        {
            await foreach (RouteNetlinkChange change in subscription.ReadAllAsync(timeout.Token))
            {
                seen.Add(change);
                if (last(change))
                {
                    return seen;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Fail($"the expected event did not arrive within {Limit.TotalSeconds} s; seen:\n{string.Join('\n', seen)}");
        return seen;
    }

    /// <summary>The kinds of the matching events with consecutive repeats collapsed (an update is "Added" again).</summary>
    private static List<RouteChangeKind> Kinds<T>(
        IEnumerable<RouteNetlinkChange> changes, Func<T, bool> match, Func<T, RouteChangeKind> kind)
    {
        var kinds = new List<RouteChangeKind>();
        foreach (T change in changes.OfType<T>().Where(match))
        {
            if (kinds.Count == 0 || kinds[^1] != kind(change))
            {
                kinds.Add(kind(change));
            }
        }

        return kinds;
    }

    [Fact]
    public async Task LinkAddressAndRouteChanges_ArriveAsTypedEventsInOrder()
    {
        var (ns, client) = Lab();
        using var subscription = Subscribe(ns);
        string veth = _lab.InterfaceName("ev0");
        var v4 = new InterfaceAddress(IPAddress.Parse("10.77.0.1"), 24);
        var v6 = new InterfaceAddress(IPAddress.Parse("fd77::1"), 64);
        var route4 = IPNetwork.Parse("10.78.0.0/16");
        var route6 = IPNetwork.Parse("fd78::/64");

        int index = AddVeth(ns, client, veth, _lab.InterfaceName("ev1"));
        await Eventually.TrueAsync(() => client.GetLink(index)?.OperationalStatus == OperationalStatus.Up, $"{veth} to have carrier");
        client.AddAddress(index, v4);
        client.AddAddress(index, v6);

        // The kernel announces an IPv6 address from its DAD work (even with NODAD), after the call returns: had the
        // address gone before that work ran, it would never be announced as added. Wait for it.
        var seen = await ReadUntil(subscription, c => c is AddressChange { Kind: RouteChangeKind.Added } a && a.Address == v6);
        Assert.True(client.AddRoute(route4, index));
        Assert.True(client.AddRoute(route6, index));
        Assert.True(client.DeleteRoute(route4, index));
        Assert.True(client.DeleteRoute(route6, index));
        Assert.True(client.DeleteAddress(index, v4));
        Assert.True(client.DeleteAddress(index, v6));
        Assert.True(client.DeleteLink(index));

        seen.AddRange(await ReadUntil(subscription, c => c is LinkChange { Kind: RouteChangeKind.Removed } l && l.Link.Index == index));

        string log = string.Join('\n', seen);
        var links = seen.OfType<LinkChange>().Where(l => l.Link.Index == index).ToList();
        Assert.True(links.Count >= 2, log);
        Assert.All(links, l => Assert.Equal(veth, l.Link.Name));
        Assert.Equal("veth", links[0].Link.Kind);
        Assert.False(links[0].Link.IsUp);
        Assert.Contains(links, l => l.Link.IsUp);
        Assert.Equal([RouteChangeKind.Added, RouteChangeKind.Removed],
            Kinds<LinkChange>(links, _ => true, l => l.Kind));
        foreach (InterfaceAddress address in new[] { v4, v6 })
        {
            var kinds = Kinds<AddressChange>(seen, a => a.Address == address && a.InterfaceIndex == index, a => a.Kind);
            Assert.True(kinds.SequenceEqual([RouteChangeKind.Added, RouteChangeKind.Removed]),
                $"{address}: {string.Join(',', kinds)}\n{log}");
        }

        foreach (IPNetwork route in new[] { route4, route6 })
        {
            Assert.Equal([RouteChangeKind.Added, RouteChangeKind.Removed],
                Kinds<RouteChange>(seen, r => r.Route.Destination == route && r.Route.Table == 254, r => r.Kind));
            Assert.All(seen.OfType<RouteChange>().Where(r => r.Route.Destination == route),
                r => Assert.Equal(index, r.Route.OutputInterfaceIndex));
        }

        int v4Added = seen.FindIndex(c => c is AddressChange { Kind: RouteChangeKind.Added } a && a.Address == v4);
        int route4Added = seen.FindIndex(c => c is RouteChange { Kind: RouteChangeKind.Added } r && r.Route.Destination == route4);
        int route4Removed = seen.FindIndex(c => c is RouteChange { Kind: RouteChangeKind.Removed } r && r.Route.Destination == route4);
        int v4Removed = seen.FindIndex(c => c is AddressChange { Kind: RouteChangeKind.Removed } a && a.Address == v4);
        Assert.True(v4Added < route4Added && route4Added < route4Removed && route4Removed < v4Removed, log);
        Assert.DoesNotContain(seen, c => c is ResyncRequired);

        // Disposing ends the stream once the events still buffered have been read.
        subscription.Dispose();
        using var drained = new CancellationTokenSource(Limit);
        await foreach (RouteNetlinkChange _ in subscription.ReadAllAsync(drained.Token))
        {
        }

        Assert.True(subscription.Changes.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Overrun_SignalsResync_ThenTheDumpAndLaterEventsAreRight()
    {
        const int Count = 300;
        var (ns, client) = Lab();
        string veth = _lab.InterfaceName("ov0");
        int index = AddVeth(ns, client, veth, _lab.InterfaceName("ov1"));

        // A tiny socket buffer and a one-event channel: the reader stops draining the socket after two datagrams.
        using var subscription = Subscribe(ns, capacity: 1, buffer: 4096);
        var added = Enumerable.Range(0, Count)
            .Select(i => new InterfaceAddress(new IPAddress([10, 80, (byte)(i / 250), (byte)(1 + (i % 250))]), 32))
            .ToList();
        foreach (InterfaceAddress address in added)
        {
            client.AddAddress(index, address);
        }

        var beforeResync = await ReadUntil(subscription, c => c is ResyncRequired);
        Assert.True(beforeResync.Count < Count, $"{beforeResync.Count} events before the resync signal: nothing was lost?");

        // Re-dump, as a subscriber must, and compare with an independent reader.
        var state = client.GetAddresses(index).Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
            .ToHashSet();
        Assert.Equal(added.ToHashSet(), state);
        Assert.Equal(state.Select(a => a.ToString()).Order(StringComparer.Ordinal), IpAddresses(ns, veth));

        // The stream goes on after the loss: a later change arrives and applies to the dumped state.
        Assert.True(client.DeleteAddress(index, added[0]));
        var after = await ReadUntil(subscription, c => c is AddressChange { Kind: RouteChangeKind.Removed } a && a.Address == added[0]);
        // The state tracked is IPv4 (the link's IPv6 link-local address may be announced at any point).
        foreach (AddressChange change in after.OfType<AddressChange>()
            .Where(a => a.InterfaceIndex == index && a.Address.Address.AddressFamily == AddressFamily.InterNetwork))
        {
            if (change.Kind == RouteChangeKind.Added)
            {
                state.Add(change.Address);
            }
            else
            {
                state.Remove(change.Address);
            }
        }

        Assert.Equal(added.Skip(1).ToHashSet(), state);
        Assert.Equal(state.Select(a => a.ToString()).Order(StringComparer.Ordinal), IpAddresses(ns, veth));
    }

    private List<string> IpAddresses(string ns, string link)
    {
        string json = _lab.Exec(ns, "ip", "-j", "-4", "address", "show", "dev", link).EnsureSuccess().StandardOutput;
        return JsonDocument.Parse(json).RootElement.EnumerateArray()
            .SelectMany(l => l.GetProperty("addr_info").EnumerateArray())
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}")
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
