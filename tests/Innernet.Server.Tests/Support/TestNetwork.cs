namespace Innernet.Server.Tests.Support;

/// <summary>
/// innernet's server test fixture (its <c>test</c> module) as an address plan: network "test" with a root, the infra
/// CIDR, admin/developer/user CIDRs and six peers. <see cref="V4"/> maps innernet's 10.80.0.0/15 onto
/// 127.80.0.0/15, so every peer IP is a real local source address on the host's loopback (no spoofing);
/// <see cref="V6"/> is innernet's fd00:1337::/64 variant, used inside a private network namespace.
/// </summary>
internal sealed record TestNetwork(
    IPNetwork Root,
    IPAddress ServerIp,
    IPNetwork AdminCidr,
    IPNetwork DeveloperCidr,
    IPNetwork UserCidr,
    IPNetwork ExperimentalCidr,
    IPNetwork ExperimentalSubCidr,
    IPAddress Admin,
    IPAddress Developer1,
    IPAddress Developer2,
    IPAddress User1,
    IPAddress User2,
    IPAddress UnknownIp,
    IPAddress InviteeIp,
    IPAddress RetiredIp,
    IPAddress FreeDeveloperIp)
{
    public const string Name = "test";
    public const long AdminCidrId = 3;
    public const long DeveloperCidrId = 4;
    public const long UserCidrId = 5;
    public const long AdminPeerId = 2;
    public const long Developer1Id = 3;
    public const long Developer2Id = 4;
    public const long User1Id = 5;
    public const long User2Id = 6;

    public static readonly Endpoint ExternalEndpoint = Endpoint.Parse("155.155.155.155:54321");

    public static TestNetwork V4 { get; } = new(
        Root: IPNetwork.Parse("127.80.0.0/15"),
        ServerIp: IPAddress.Parse("127.80.0.1"),
        AdminCidr: IPNetwork.Parse("127.80.1.0/24"),
        DeveloperCidr: IPNetwork.Parse("127.80.64.0/24"),
        UserCidr: IPNetwork.Parse("127.80.128.0/17"),
        ExperimentalCidr: IPNetwork.Parse("127.81.0.0/16"),
        ExperimentalSubCidr: IPNetwork.Parse("127.81.0.0/17"),
        Admin: IPAddress.Parse("127.80.1.1"),
        Developer1: IPAddress.Parse("127.80.64.2"),
        Developer2: IPAddress.Parse("127.80.64.3"),
        User1: IPAddress.Parse("127.80.128.2"),
        User2: IPAddress.Parse("127.80.129.2"),
        UnknownIp: IPAddress.Parse("127.80.200.9"),
        InviteeIp: IPAddress.Parse("127.80.130.2"),
        RetiredIp: IPAddress.Parse("127.80.131.2"),
        FreeDeveloperIp: IPAddress.Parse("127.80.64.4"));

    public static TestNetwork V6 { get; } = new(
        Root: IPNetwork.Parse("fd00:1337::/64"),
        ServerIp: IPAddress.Parse("fd00:1337::1"),
        AdminCidr: IPNetwork.Parse("fd00:1337:0:0:1::/80"),
        DeveloperCidr: IPNetwork.Parse("fd00:1337:0:0:2::/80"),
        UserCidr: IPNetwork.Parse("fd00:1337:0:0:4::/79"),
        ExperimentalCidr: IPNetwork.Parse("fd00:1337:0:0:8::/78"),
        ExperimentalSubCidr: IPNetwork.Parse("fd00:1337:0:0:8::/79"),
        Admin: IPAddress.Parse("fd00:1337::1:0:0:1"),
        Developer1: IPAddress.Parse("fd00:1337::2:0:0:2"),
        Developer2: IPAddress.Parse("fd00:1337::2:0:0:3"),
        User1: IPAddress.Parse("fd00:1337::4:0:0:2"),
        User2: IPAddress.Parse("fd00:1337::5:0:0:2"),
        UnknownIp: IPAddress.Parse("fd00:1337::ff:0:0:9"),
        InviteeIp: IPAddress.Parse("fd00:1337::4:0:0:9"),
        RetiredIp: IPAddress.Parse("fd00:1337::5:0:0:9"),
        FreeDeveloperIp: IPAddress.Parse("fd00:1337::2:0:0:4"));

    /// <summary>Every address a test client may connect from (the six peers' IPs, extras and the unknown IP).</summary>
    public IEnumerable<IPAddress> ClientAddresses =>
        [Admin, Developer1, Developer2, User1, User2, UnknownIp, InviteeIp, RetiredIp, FreeDeveloperIp];
}
