using System.Globalization;
using Innernet.Core.Cidrs;
using Innernet.Core.Import;
using Innernet.Core.Model;
using Innernet.Core.Peers;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>
    /// Every reason why the rows of an innernet database cannot become a store, each naming its table and row; empty
    /// when <see cref="CreateImported"/> will accept them. The rules are this store's own (those of <c>new</c>,
    /// <c>add-cidr</c>, <c>add-peer</c> and <c>add-association</c>, applied row by row in id order, CIDRs parents
    /// first), plus what ties the rows to the server config: CIDR 1 is the root with the config's prefix, CIDR 2 the
    /// server's, peer 1 the server with the config's IP and key.
    /// </summary>
    public static IReadOnlyList<string> CheckImport(
        InnernetNetwork network, IPAddress serverIp, WireGuardKey serverPublicKey, int rootPrefix)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(serverIp);
        var problems = new List<string>();
        CheckServerRows(network, serverIp, serverPublicKey, rootPrefix, problems);

        var cidrs = new List<Cidr>();
        foreach (var cidr in ParentsFirst(network.Cidrs, problems))
        {
            Check(problems, "cidrs", cidr.Id, cidr.Name, () => CidrRules.ValidateCreate(cidrs, network.Peers, cidr.Contents));
            cidrs.Add(cidr);
        }

        var peers = new List<Peer>();
        foreach (var peer in network.Peers)
        {
            Check(problems, "peers", peer.Id, peer.Name, () =>
            {
                CheckKey(peer.PublicKey);
                _ = CheckedCandidates(peer.Candidates);
                PeerRules.ValidateCreate(cidrs, peers, peer.Contents);
            });
            peers.Add(peer);
        }

        var associations = new List<Association>();
        foreach (var association in network.Associations)
        {
            Check(problems, "associations", association.Id, null,
                () => CheckAssociation(cidrs, associations, association.Contents));
            associations.Add(association);
        }

        return problems;
    }

    /// <summary>
    /// Creates a new database file (mode 0600) holding exactly the rows of an innernet database, with their ids; the id
    /// sequences continue after the highest id of each table, so no id is handed out twice.
    /// </summary>
    /// <exception cref="ValidationException">The rows break a rule (<see cref="CheckImport"/>); every problem is listed.</exception>
    /// <exception cref="StoreException">The file exists or cannot be created.</exception>
    public static ServerStore CreateImported(
        string path, InnernetNetwork network, IPAddress serverIp, WireGuardKey serverPublicKey, int rootPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        if (CheckImport(network, serverIp, serverPublicKey, rootPrefix) is { Count: > 0 } problems)
        {
            throw new ValidationException(
                "The innernet network cannot be imported:" + Environment.NewLine + "  "
                + string.Join(Environment.NewLine + "  ", problems));
        }

        var rows = network with
        {
            Peers = [.. network.Peers.Select(p => p with { InviteExpires = StoreMapper.ToStoredPrecision(p.InviteExpires) })],
        };
        var sequences = new IdSequences(
            rows.Cidrs.Max(c => c.Id),
            rows.Peers.Max(p => p.Id),
            rows.Associations.Count == 0 ? 0 : rows.Associations.Max(a => a.Id));
        return CreateOn(LiteDbStoreEngine.CreateFile(path), store => store.PopulateImported(rows, sequences));
    }

    /// <summary>Writes the imported rows, on the creating thread, before the store is shared.</summary>
    private void PopulateImported(InnernetNetwork rows, IdSequences sequences)
        => PopulateRows(new StoredRows(rows.Cidrs, rows.Peers, rows.Associations, sequences, []), []);

    /// <summary>
    /// A copy of this store's whole content (rows, id sequences, reserved IPs, audit log) in the new database of
    /// <paramref name="target"/> (which must be empty; the copy takes the engine over, also when this fails). Check it with
    /// <see cref="CompareContents"/> after reopening.
    /// </summary>
    /// <exception cref="StoreException">The target is not empty or cannot be written.</exception>
    public ServerStore CopyTo(StoreEngine target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var state = Current;
        var audit = ListAudit(null);
        var rows = new StoredRows(state.Cidrs, state.Peers, state.Associations, state.Sequences, [.. state.ReservedIps.Values]);
        return CreateOn(target, store => store.PopulateRows(rows, audit));
    }

    /// <summary><see cref="CopyTo(StoreEngine)"/> into a new LiteDB file (mode 0600; it must not exist).</summary>
    public ServerStore CopyTo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return CopyTo(LiteDbStoreEngine.CreateFile(path));
    }

    /// <summary>
    /// How the contents of this store and <paramref name="other"/> differ: per table the row counts, or the first row that
    /// differs; the id sequences; the audit log. Empty when they hold the same network.
    /// </summary>
    public IReadOnlyList<string> CompareContents(ServerStore other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var (a, b) = (Current, other.Current);
        var differences = new List<string>();
        CompareTable(differences, "cidrs", a.Cidrs, b.Cidrs);
        CompareTable(differences, "peers", a.Peers, b.Peers);
        CompareTable(differences, "associations", a.Associations, b.Associations);
        CompareTable(
            differences, "reserved IPs", [.. a.ReservedIps.Values.OrderBy(r => r.PeerId)],
            [.. b.ReservedIps.Values.OrderBy(r => r.PeerId)]);
        CompareTable(differences, "audit log", ListAudit(null), other.ListAudit(null));
        if (a.Sequences != b.Sequences)
        {
            differences.Add($"id sequences: {a.Sequences} and {b.Sequences}");
        }

        return differences;
    }

    private static void CompareTable<T>(List<string> differences, string table, IReadOnlyList<T> a, IReadOnlyList<T> b)
    {
        if (a.Count != b.Count)
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"{table}: {a.Count} rows and {b.Count} rows"));
            return;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(a[i], b[i]))
            {
                differences.Add($"{table}: row {a[i]} and row {b[i]}");
                return;
            }
        }
    }

    /// <summary>Writes a whole network (a new database's first transaction), on the creating thread, before the store is shared.</summary>
    private void PopulateRows(StoredRows rows, IReadOnlyList<AuditEntry> audit)
    {
        CommitTransaction(() =>
        {
            _engine.CreateSchema();
            foreach (var cidr in rows.Cidrs)
            {
                _engine.InsertCidr(cidr);
            }

            foreach (var peer in rows.Peers)
            {
                _engine.InsertPeer(peer);
            }

            foreach (var association in rows.Associations)
            {
                _engine.InsertAssociation(association);
            }

            _engine.WriteSequences(rows.Sequences);
            if (rows.ReservedIps.Count > 0)
            {
                _engine.WriteReservedIps(rows.ReservedIps);
            }

            foreach (var entry in audit)
            {
                _engine.InsertAudit(entry);
            }
        });
        _snapshot = ReadSnapshot(FirstVersion);
        StartWriter();
    }

    private static void CheckServerRows(
        InnernetNetwork network, IPAddress serverIp, WireGuardKey serverPublicKey, int rootPrefix, List<string> problems)
    {
        if (network.Cidrs.FirstOrDefault(c => c.Id == Cidr.RootId) is not { } root)
        {
            problems.Add("cidrs: there is no row id 1, the network's root CIDR.");
        }
        else if (root.Parent is not null || root.Network.PrefixLength != rootPrefix || !root.Network.Contains(serverIp))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"cidrs row id 1 ({root.Name}): the root CIDR {root.Network} does not match the server config (address {serverIp}, "
                + $"network-cidr-prefix {rootPrefix}) or has a parent."));
        }

        if (network.Cidrs.FirstOrDefault(c => c.Id == Cidr.InfraId) is not { } infra)
        {
            problems.Add("cidrs: there is no row id 2, the server's CIDR.");
        }
        else if (!infra.Network.Contains(serverIp))
        {
            problems.Add($"cidrs row id 2 ({infra.Name}): the server's CIDR {infra.Network} does not hold the server address {serverIp}.");
        }

        if (network.Peers.FirstOrDefault(p => p.Id == Peer.ServerId) is not { } server)
        {
            problems.Add("peers: there is no row id 1, the server.");
            return;
        }

        if (!server.Ip.Equals(serverIp) || server.CidrId != Cidr.InfraId)
        {
            problems.Add($"peers row id 1 ({server.Name}): the server peer has IP {server.Ip} in CIDR {server.CidrId}; "
                + $"the config says {serverIp} (in CIDR 2).");
        }

        if (server.PublicKey != serverPublicKey)
        {
            problems.Add($"peers row id 1 ({server.Name}): the server peer's public key is not the one of the config's private key.");
        }

        if (server.IsDisabled || !server.IsRedeemed)
        {
            problems.Add($"peers row id 1 ({server.Name}): the server peer is disabled or not redeemed.");
        }
    }

    /// <summary>The CIDRs ordered so that each comes after its parent (id order otherwise); a parent cycle or a missing parent is a
    /// problem.</summary>
    private static List<Cidr> ParentsFirst(IReadOnlyList<Cidr> cidrs, List<string> problems)
    {
        var byId = cidrs.ToDictionary(c => c.Id);
        var ordered = new List<Cidr>();
        var placed = new HashSet<long>();
        foreach (var cidr in cidrs.OrderBy(c => c.Id))
        {
            var chain = new List<Cidr>();
            var seen = new HashSet<long>();
            for (var current = cidr; current is not null && !placed.Contains(current.Id);)
            {
                if (!seen.Add(current.Id))
                {
                    problems.Add($"cidrs row id {current.Id} ({current.Name}): its parents form a cycle.");
                    chain.Clear();
                    break;
                }

                chain.Add(current);
                current = current.Parent is { } parent ? byId.GetValueOrDefault(parent) : null;
            }

            for (int i = chain.Count - 1; i >= 0; i--)
            {
                if (placed.Add(chain[i].Id))
                {
                    ordered.Add(chain[i]);
                }
            }
        }

        return ordered;
    }

    private static void Check(List<string> problems, string table, long id, string? name, Action check)
    {
        try
        {
            check();
        }
        catch (ValidationException e)
        {
            problems.Add(name is null ? $"{table} row id {id}: {e.Message}" : $"{table} row id {id} ({name}): {e.Message}");
        }
    }
}
