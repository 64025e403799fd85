using Innernet.Core.Persistence;

namespace Innernet.Core.Import;

/// <summary>
/// The way back (no lock-in): a store written as an innernet 1.7 server database, which innernet-server 1.7 opens as
/// its own together with the unchanged config file (the format is innernet's). Rows and ids as stored.
/// </summary>
public static class InnernetExport
{
    /// <summary>Writes every CIDR, peer and association of <paramref name="store"/> to a new innernet database at <paramref
    /// name="path"/>.</summary>
    /// <exception cref="IOException">The file exists or cannot be written.</exception>
    public static InnernetNetwork Run(ServerStore store, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        var network = new InnernetNetwork(store.ListCidrs(), store.ListPeers(), store.ListAssociations());
        InnernetDatabase.Write(path, network);
        return network;
    }
}
