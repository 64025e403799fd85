using Innernet.Core.Live;
using Innernet.Core.Model;
using Innernet.Netlink.Route;

namespace Innernet.Client.Commands;

/// <summary>One interface as <c>show</c> prints it.</summary>
internal sealed record InterfaceView(
    string Name,
    ushort ListenPort,
    InterfaceAddress? Address,
    IReadOnlyList<PeerRow> Peers,
    IReadOnlyList<Cidr> Cidrs,
    DateTimeOffset Now)
{
    /// <summary>What the daemon (<c>up --daemon</c>) reports for this network, or null when none runs.</summary>
    public LiveStatus? Updates { get; init; }
}
