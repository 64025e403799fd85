using System.Security.Cryptography;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Tests.Persistence;

/// <summary>Builders for store tests: a network like <c>innernet-server new evilcorp</c> plus a few rows.</summary>
internal static class StoreTestSupport
{
    public static readonly IPNetwork RootRange = IPNetwork.Parse("10.42.0.0/16");
    public static readonly IPAddress ServerIp = IPAddress.Parse("10.42.0.1");
    public static readonly Endpoint ServerEndpoint = Endpoint.Parse("198.51.100.1:51820");
    public static readonly WireGuardKey ServerKey = Key(0x5e);

    public static NewNetwork Network { get; } = new("evilcorp", RootRange, ServerIp, ServerKey, ServerEndpoint);

    /// <summary>A fresh database in a <see cref="MemoryStream"/> (one per test).</summary>
    public static ServerStore NewInMemory() => ServerStore.Create(new MemoryStream(), Network);

    /// <summary>A distinct, deterministic, non-zero key per number.</summary>
    public static WireGuardKey Key(int n)
    {
        var bytes = new byte[WireGuardKey.Size];
        BitConverter.TryWriteBytes(bytes, n);
        bytes[31] = 0x17;
        return new WireGuardKey(bytes);
    }

    public static WireGuardKey RandomKey() => new(RandomNumberGenerator.GetBytes(WireGuardKey.Size));

    public static PeerContents NewPeer(
        string name,
        string ip,
        long cidrId,
        WireGuardKey? key = null,
        bool isRedeemed = true,
        DateTimeOffset? inviteExpires = null,
        bool isDisabled = false,
        IReadOnlyList<Endpoint>? candidates = null)
        => new()
        {
            Name = name,
            Ip = IPAddress.Parse(ip),
            CidrId = cidrId,
            PublicKey = key ?? RandomKey(),
            PersistentKeepaliveInterval = 25,
            IsRedeemed = isRedeemed,
            IsDisabled = isDisabled,
            InviteExpires = inviteExpires,
            Candidates = candidates ?? [],
        };

    /// <summary>Adds CIDR "humans" 10.42.1.0/24 under the root (id 3 in a fresh store).</summary>
    public static Cidr AddHumans(ServerStore store)
        => store.AddCidr(new CidrContents("humans", IPNetwork.Parse("10.42.1.0/24"), Cidr.RootId));

    /// <summary>Adds CIDR "robots" 10.42.2.0/24 under the root.</summary>
    public static Cidr AddRobots(ServerStore store)
        => store.AddCidr(new CidrContents("robots", IPNetwork.Parse("10.42.2.0/24"), Cidr.RootId));

    public static IReadOnlyList<Endpoint> Endpoints(int count)
        => [.. Enumerable.Range(1, count).Select(i => Endpoint.Parse($"192.0.2.{i}:51820"))];
}
