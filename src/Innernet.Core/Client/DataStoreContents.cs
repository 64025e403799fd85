using Innernet.Core.Model;

namespace Innernet.Core.Client;

/// <summary>The on-disk shape of the client peer cache: <c>{"version":"1","peers":[…],"cidrs":[…]}</c>.</summary>
internal sealed record DataStoreContents(string Version, List<Peer> Peers, List<Cidr> Cidrs);
