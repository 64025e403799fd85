using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

/// <summary>
/// The committed rows of a network as the read-only verbs list them: an open <see cref="ServerStore"/>, or a
/// <see cref="ReadOnlyServerStore"/> that reads only what is asked for. Every list is in id order (reserved IPs by peer id).
/// </summary>
public interface IServerStoreReader : IDisposable
{
    /// <summary>The database file's path, "(stream)", or the PostgreSQL database.</summary>
    string Source { get; }

    /// <summary>Every CIDR, by id.</summary>
    IReadOnlyList<Cidr> ListCidrs();

    /// <summary>Every peer (the server peer and unredeemed invitations included), by id.</summary>
    IReadOnlyList<Peer> ListPeers();

    /// <summary>Every association, by id.</summary>
    IReadOnlyList<Association> ListAssociations();

    /// <summary>IPs of deleted peers that new peers may not take yet.</summary>
    IReadOnlyList<ReservedIp> ListReservedIps();

    /// <summary>The audit log from <paramref name="since"/> on (all when null), oldest first.</summary>
    IReadOnlyList<AuditEntry> ListAudit(DateTimeOffset? since);
}
