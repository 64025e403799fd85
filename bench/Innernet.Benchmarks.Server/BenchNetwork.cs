using Innernet.Netlink.WireGuard;

namespace Innernet.Benchmarks.Server;

/// <summary>A populated network on disk, laid out as <c>innernet-server new</c> makes it.</summary>
internal sealed record BenchNetwork(
    string Interface,
    string ConfigDirectory,
    string DataDirectory,
    WireGuardKey ServerPublicKey,
    IPAddress ServerIp,
    ushort ListenPort,
    BenchPeer FewHundred,
    BenchPeer All,
    int Peers,
    int Cidrs,
    int Associations,
    int Redeemed,
    int Unredeemed,
    int Disabled)
{
    public string Database => Path.Combine(DataDirectory, Interface + ".db");

    public IPEndPoint ApiEndpoint => new(ServerIp, ListenPort);
}
