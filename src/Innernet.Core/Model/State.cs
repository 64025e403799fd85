namespace Innernet.Core.Model;

/// <summary>What <c>GET /v1/user/state</c> returns: the peers the caller may see and every CIDR.</summary>
public sealed record State(IReadOnlyList<Peer> Peers, IReadOnlyList<Cidr> Cidrs);
