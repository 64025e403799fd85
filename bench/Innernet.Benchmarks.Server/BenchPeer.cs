using Innernet.Netlink.WireGuard;

namespace Innernet.Benchmarks.Server;

/// <summary>A redeemed peer whose private key the benchmark holds, so it can join the network through a real tunnel.</summary>
/// <param name="Label">What its view is ("few hundred" or "all").</param>
internal sealed record BenchPeer(string Label, string Name, long Id, IPAddress Ip, WireGuardKey PrivateKey, WireGuardKey PublicKey)
{
    /// <summary>Never shows the private key.</summary>
    public override string ToString() => $"BenchPeer {{ {Label}: {Name} #{Id} {Ip} }}";
}
