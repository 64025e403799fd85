using Innernet.Netlink.WireGuard;
using Innernet.Server.Serve;

namespace Innernet.Server.Tests.Serve;

/// <summary>The pure rule and diff: who belongs on the server's WireGuard, and one update from a device to that.</summary>
public sealed class ServerPeerStateTests
{
    private static readonly WireGuardKey ServerKey = TestKeys.NewKeyPair().PublicKey;
    private static readonly IReadOnlyDictionary<long, RedeemTransition> None = new Dictionary<long, RedeemTransition>();
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static Peer NewPeer(long id, string ip, bool disabled = false, bool redeemed = true) => new()
    {
        Id = id,
        Name = "peer" + id,
        Ip = IPAddress.Parse(ip),
        CidrId = 3,
        PublicKey = TestKeys.NewKeyPair().PublicKey,
        IsDisabled = disabled,
        IsRedeemed = redeemed,
        Endpoint = Endpoint.Parse("198.18.5.5:51820"),
    };

    private static WireGuardPeer OnDevice(WireGuardKey key, string allowed, ushort keepalive = 25) => new()
    {
        PublicKey = key,
        AllowedIPs = [IPNetwork.Parse(allowed)],
        PersistentKeepaliveInterval = keepalive,
        LastHandshake = Now,
    };

    [Fact]
    public void Desired_EnabledPeersAndInvitations_NeverDisabledOrTheServer()
    {
        var server = NewPeer(1, "10.42.0.1") with { PublicKey = ServerKey };
        var member = NewPeer(2, "10.42.1.1");
        var invited = NewPeer(3, "10.42.1.2", redeemed: false);
        var disabled = NewPeer(4, "10.42.1.3", disabled: true);
        var serverKeyOnAnother = NewPeer(5, "10.42.1.4") with { PublicKey = ServerKey };

        var desired = ServerPeerState.Desired([server, member, invited, disabled, serverKeyOnAnother], ServerKey, None);

        Assert.Equal(new HashSet<WireGuardKey> { member.PublicKey, invited.PublicKey }, desired.Keys.ToHashSet());
        Assert.Equal(
            new DesiredPeer(member.PublicKey, IPAddress.Parse("10.42.1.1"), IPEndPoint.Parse("198.18.5.5:51820")),
                desired[member.PublicKey]);
    }

    [Fact]
    public void Desired_PeerInTransition_UnderItsTemporaryKey()
    {
        var redeemed = NewPeer(2, "10.42.1.1");
        var temporary = TestKeys.NewKeyPair().PublicKey;
        var transitions = new Dictionary<long, RedeemTransition> { [2] = new(2, temporary, redeemed.PublicKey, Now.AddSeconds(5)) };

        var desired = ServerPeerState.Desired([redeemed], ServerKey, transitions);

        Assert.Equal([temporary], desired.Keys);
        Assert.Equal(IPAddress.Parse("10.42.1.1"), desired[temporary].Ip);
    }

    [Fact]
    public void NextTransitions_StartOnRedeem_EndAtDeadlineOrWhenDisabledGoneOrSuperseded()
    {
        var invite = NewPeer(2, "10.42.1.1", redeemed: false);
        var redeemed = invite with { PublicKey = TestKeys.NewKeyPair().PublicKey, IsRedeemed = true };
        var wait = TimeSpan.FromSeconds(5);

        var started = ServerPeerState.NextTransitions([invite], [redeemed], None, Now, wait);
        var (id, transition) = Assert.Single(started);
        Assert.Equal(new RedeemTransition(2, invite.PublicKey, redeemed.PublicKey, Now + wait), transition);

        Assert.Single(ServerPeerState.NextTransitions([redeemed], [redeemed], started, Now + wait - TimeSpan.FromTicks(1), wait));
        Assert.Empty(ServerPeerState.NextTransitions([redeemed], [redeemed], started, Now + wait, wait));
        Assert.Empty(ServerPeerState.NextTransitions([redeemed], [redeemed with { IsDisabled = true }], started, Now, wait));
        Assert.Empty(ServerPeerState.NextTransitions([redeemed], [], started, Now, wait));
        var superseded = redeemed with { PublicKey = TestKeys.NewKeyPair().PublicKey };
        Assert.Empty(ServerPeerState.NextTransitions([redeemed], [superseded], started, Now, wait));
        Assert.Equal(2, id);

        // A first look (start-up) knows no "before"; a re-issued invitation (still unredeemed) is no redeem.
        Assert.Empty(ServerPeerState.NextTransitions(null, [redeemed], None, Now, wait));
        var reissued = invite with { PublicKey = TestKeys.NewKeyPair().PublicKey };
        Assert.Empty(ServerPeerState.NextTransitions([invite], [reissued], None, Now, wait));
        Assert.Empty(ServerPeerState.NextTransitions([invite], [redeemed with { IsDisabled = true }], None, Now, wait));
    }

    [Fact]
    public void NextTransitions_StartOnAKeyRotationStep_NotOnAKeyChangeWithoutOne()
    {
        var member = NewPeer(2, "10.42.1.1");
        var next = TestKeys.NewKeyPair().PublicKey;
        var step = new KeyRotation { Generation = 1, OldPublicKey = member.PublicKey, PublicKey = next, Signature = "" };
        var rotated = member with { PublicKey = next, KeyRotations = [step] };
        var wait = TimeSpan.FromSeconds(5);

        var (_, transition) = Assert.Single(ServerPeerState.NextTransitions([member], [rotated], None, Now, wait));

        Assert.Equal(new RedeemTransition(2, member.PublicKey, next, Now + wait), transition);
        Assert.Equal([member.PublicKey],
            ServerPeerState.Desired([rotated], ServerKey, new Dictionary<long, RedeemTransition> { [2] = transition }).Keys);
        Assert.Empty(ServerPeerState.NextTransitions([member], [member with { PublicKey = next }], None, Now, wait));
        var stale = member with { PublicKey = TestKeys.NewKeyPair().PublicKey, KeyRotations = [step] };
        Assert.Empty(ServerPeerState.NextTransitions([member], [stale], None, Now, wait));
    }

    [Fact]
    public void Diff_DeviceAlreadyRight_IsEmpty()
    {
        var a = NewPeer(2, "10.42.1.1");
        var b = NewPeer(3, "fd00::2");
        var desired = ServerPeerState.Desired([a, b], ServerKey, None);

        var diff = ServerPeerState.Diff(desired, [OnDevice(b.PublicKey, "fd00::2/128"), OnDevice(a.PublicKey, "10.42.1.1/32")]);

        Assert.True(diff.IsEmpty);
        Assert.False(diff.Config.ReplacePeers);
        Assert.Null(diff.Config.PrivateKey);
        Assert.Null(diff.Config.ListenPort);
    }

    [Fact]
    public void Diff_RemovesStrangersFirst_AddsMissing_CorrectsDrift_LeavesTheRest()
    {
        var kept = NewPeer(2, "10.42.1.1");
        var missing = NewPeer(3, "10.42.1.2");
        var drifted = NewPeer(4, "10.42.1.3");
        var reusesIp = NewPeer(5, "10.42.1.9");
        var stranger = TestKeys.NewKeyPair().PublicKey;
        var desired = ServerPeerState.Desired([kept, missing, drifted, reusesIp], ServerKey, None);
        var wireGuard = new InMemoryWireGuard();
        wireGuard.AddDevice("inndiff0");
        var roamed = IPEndPoint.Parse("198.18.44.4:4444");
        wireGuard.ChangeBehindTheBack("inndiff0", new DeviceConfig
        {
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = kept.PublicKey, Endpoint = roamed, PersistentKeepaliveInterval = 25,
                        AllowedIPs = { IPNetwork.Parse("10.42.1.1/32") },
                },
                new PeerConfig { PublicKey = stranger, AllowedIPs = { IPNetwork.Parse("10.42.1.9/32") } },
                new PeerConfig
                {
                    PublicKey = drifted.PublicKey,
                    PersistentKeepaliveInterval = 0,
                    AllowedIPs = { IPNetwork.Parse("10.42.1.3/32"), IPNetwork.Parse("10.0.0.0/8") },
                },
            },
        });
        wireGuard.SetHandshake("inndiff0", kept.PublicKey, Now);

        var diff = ServerPeerState.Diff(desired, wireGuard.GetDevice("inndiff0")!.Peers);
        wireGuard.ConfigureDevice("inndiff0", diff.Config);

        Assert.Equal((2, 1, 1), (diff.Added, diff.Removed.Count, diff.Corrected));
        Assert.Equal(stranger, diff.Config.Peers[0].PublicKey);
        Assert.True(diff.Config.Peers[0].Remove);
        Assert.DoesNotContain(diff.Config.Peers, p => p.PublicKey == kept.PublicKey);
        var device = wireGuard.Peers("inndiff0").ToDictionary(p => p.PublicKey);
        Assert.Equal(
            new HashSet<WireGuardKey> { kept.PublicKey, missing.PublicKey, drifted.PublicKey, reusesIp.PublicKey },
                device.Keys.ToHashSet());
        Assert.Equal(roamed, device[kept.PublicKey].Endpoint);
        Assert.Equal(Now, device[kept.PublicKey].LastHandshake);
        Assert.Equal([IPNetwork.Parse("10.42.1.3/32")], device[drifted.PublicKey].AllowedIPs);
        Assert.Equal(25, device[drifted.PublicKey].PersistentKeepaliveInterval);
        Assert.Equal([IPNetwork.Parse("10.42.1.9/32")], device[reusesIp.PublicKey].AllowedIPs);
        Assert.Equal(IPEndPoint.Parse("198.18.5.5:51820"), device[missing.PublicKey].Endpoint);
    }

    /// <summary>
    /// Random pairs of states (peers kept, added, removed, moved to another IP, an IP handed from a removed peer to a new
    /// one): the difference from the applied state, applied to a device holding exactly that state (with roamed
    /// endpoints), leaves the device holding the desired peers as written out here, removals before additions, and
    /// the kept peers' endpoints and handshakes untouched.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Diff_FromTheAppliedState_TurnsThatDeviceIntoTheDesiredOne(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 40; round++)
        {
            var pool = Enumerable.Range(0, 30).Select(i => NewPeer(10 + i, $"10.42.2.{10 + i}")).ToList();
            var before = pool.Where(_ => random.Next(3) > 0).ToList();
            var after = pool.Where(_ => random.Next(3) > 0)
                .Select(p => random.Next(8) == 0 ? p with { Ip = IPAddress.Parse($"10.42.3.{p.Id}") } : p)
                .ToList();
            var applied = ServerPeerState.Desired(before, ServerKey, None);
            var desired = ServerPeerState.Desired(after, ServerKey, None);
            var wireGuard = new InMemoryWireGuard();
            wireGuard.AddDevice("inndiff1");
            var roamed = IPEndPoint.Parse("198.18.77.7:7777");
            var holding = new DeviceConfig();
            foreach (var peer in before)
            {
                holding.Peers.Add(new PeerConfig
                {
                    PublicKey = peer.PublicKey,
                    Endpoint = roamed,
                    PersistentKeepaliveInterval = 25,
                    AllowedIPs = { new IPNetwork(peer.Ip, 32) },
                });
            }

            wireGuard.ChangeBehindTheBack("inndiff1", holding);
            foreach (var peer in before)
            {
                wireGuard.SetHandshake("inndiff1", peer.PublicKey, Now);
            }

            var diff = ServerPeerState.Diff(desired, applied);
            wireGuard.ConfigureDevice("inndiff1", diff.Config);

            var device = wireGuard.Peers("inndiff1").ToDictionary(p => p.PublicKey);
            Assert.Equal(after.Select(p => p.PublicKey).ToHashSet(), device.Keys.ToHashSet());
            var beforeKeys = before.Select(p => p.PublicKey).ToHashSet();
            foreach (var peer in after)
            {
                var onDevice = device[peer.PublicKey];
                Assert.Equal([new IPNetwork(peer.Ip, 32)], onDevice.AllowedIPs);
                Assert.Equal(25, onDevice.PersistentKeepaliveInterval);
                bool kept = beforeKeys.Contains(peer.PublicKey);
                Assert.Equal(kept ? roamed : IPEndPoint.Parse("198.18.5.5:51820"), onDevice.Endpoint);
                Assert.Equal(kept ? Now : null, onDevice.LastHandshake);
            }

            int lastRemoval = diff.Config.Peers.Select((p, i) => p.Remove ? i : -1).Max();
            int firstOther = diff.Config.Peers.Select((p, i) => p.Remove ? int.MaxValue : i).DefaultIfEmpty(int.MaxValue).Min();
            Assert.True(lastRemoval < firstOther, "every removal comes before the first addition or correction");
            Assert.Equal(before.Count(p => !after.Any(a => a.PublicKey == p.PublicKey)), diff.Removed.Count);
        }
    }
}
