using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Tests;

/// <summary>A small network like the one `innernet-server new` plus a few `add-cidr`s creates.</summary>
internal static class Fixtures
{
    public static Cidr Root { get; } = new(1, "evilcorp", IPNetwork.Parse("10.42.0.0/16"), null);

    public static Cidr Infra { get; } = new(2, "innernet-server", IPNetwork.Parse("10.42.0.1/32"), 1);

    public static Cidr Humans { get; } = new(3, "humans", IPNetwork.Parse("10.42.1.0/24"), 1);

    public static Cidr Robots { get; } = new(4, "robots", IPNetwork.Parse("10.42.2.0/24"), 1);

    public static IReadOnlyList<Cidr> Cidrs { get; } = [Root, Infra, Humans, Robots];

    public static Peer Server { get; } = MakePeer(1, "innernet-server", "10.42.0.1", 2, isAdmin: true);

    public static Peer Laptop { get; } = MakePeer(2, "laptop", "10.42.1.1", 3);

    public static IReadOnlyList<Peer> Peers { get; } = [Server, Laptop];

    public static Peer MakePeer(
        long id,
        string name,
        string ip,
        long cidrId,
        bool isAdmin = false,
        bool isDisabled = false,
        bool isRedeemed = true,
        WireGuardKey? key = null)
        => new()
        {
            Id = id,
            Name = name,
            Ip = IPAddress.Parse(ip),
            CidrId = cidrId,
            PublicKey = key ?? TestKeys.Numbered((int)id),
            PersistentKeepaliveInterval = 25,
            IsAdmin = isAdmin,
            IsDisabled = isDisabled,
            IsRedeemed = isRedeemed,
        };
}
