using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using Innernet.Server.Serve;
using Microsoft.Extensions.Time.Testing;

namespace Innernet.Server.Tests.Serve;

/// <summary>
/// A real <see cref="ServerStore"/> (LiteDB in memory) with one CIDR and a few enabled peers, an
/// <see cref="InMemoryWireGuard"/> device and a hand-moved clock: what the reconciler's tests drive.
/// </summary>
internal sealed class ReconcileLab : IDisposable
{
    public const string Device = "innrec00";
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private int _nextIp = 10;

    public ReconcileLab(int members = 3)
    {
        Store = ServerStore.Create(
            new MemoryStream(),
            new NewNetwork(
                "rec", IPNetwork.Parse("10.66.0.0/16"), IPAddress.Parse("10.66.0.1"), ServerKey, Endpoint.Parse("198.18.0.1:51820")));
        CidrId = Store.AddCidr(new CidrContents("humans", IPNetwork.Parse("10.66.1.0/24"), 1)).Id;
        for (int i = 0; i < members; i++)
        {
            AddPeer($"member{i}", redeemed: true);
        }

        WireGuard.AddDevice(Device);
    }

    public static WireGuardKey ServerKey { get; } = TestKeys.NewKeyPair().PublicKey;

    public ServerStore Store { get; }

    public long CidrId { get; }

    public InMemoryWireGuard WireGuard { get; } = new();

    public FakeTimeProvider Time { get; } = new(Start);

    public Peer AddPeer(string name, bool redeemed, TimeSpan? expiresIn = null) => Store.AddPeer(new PeerContents
    {
        Name = name,
        Ip = IPAddress.Parse($"10.66.1.{_nextIp++}"),
        CidrId = CidrId,
        PublicKey = TestKeys.NewKeyPair().PublicKey,
        IsRedeemed = redeemed,
        InviteExpires = expiresIn is { } e ? Time.GetUtcNow() + e : null,
    });

    public PeerReconciler NewReconciler() => new(
        WireGuard, Device, ServerKey, Store.ListPeers, Time, WireGuardPeerSync.RedeemTransitionWait);

    /// <summary>
    /// The keys that belong on the device by a reading of the store written out here: enabled peers' current keys
    /// but the server's.
    /// </summary>
    public HashSet<WireGuardKey> EnabledKeys()
        => Store.ListPeers().Where(p => !p.IsDisabled && p.Id != Peer.ServerId).Select(p => p.PublicKey).ToHashSet();

    public IReadOnlySet<WireGuardKey> DeviceKeys() => WireGuard.PeerKeys(Device);

    public void Dispose() => Store.Dispose();
}
