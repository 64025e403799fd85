using Innernet.Core.Model;

namespace Innernet.Core.Import;

/// <summary>
/// The rows of an innernet server database, as they are: CIDRs, peers and associations with their ids. Peers as
/// stored (no injected endpoint, no keepalive).
/// </summary>
public sealed record InnernetNetwork(IReadOnlyList<Cidr> Cidrs, IReadOnlyList<Peer> Peers, IReadOnlyList<Association> Associations);
