using System.Globalization;
using System.Net;
using Innernet.Core;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Innernet.Server.PostgreSql;

/// <summary>
/// A <see cref="ServerStore"/> engine on PostgreSQL (Npgsql). One network per database schema (the connection's
/// search path: <c>public</c> unless <c>Search Path=</c> says otherwise); the tables are in <see cref="PostgreSqlSchema"/>.
/// </summary>
/// <remarks>
/// <para><b>Durability.</b> Every session runs with <c>synchronous_commit = on</c> (set by the connection, whatever the
/// server's default): <c>COMMIT</c> returns once the WAL record is flushed on the PostgreSQL server, so an acknowledged
/// write survives a crash of either host (with the server's <c>fsync</c> on, its default).</para>
/// <para><b>One writer.</b> The engine holds a session advisory lock keyed by the schema for as long as its writer
/// connection lives, so a second server on the same database fails at open instead of writing behind the first one's
/// snapshot. Each commit first moves <c>store_state.generation</c> on, taking that row's lock, and checks that the value
/// it found is the one the engine last read: a commit based on a state another writer has changed fails (nothing is
/// written) instead of overwriting it. The same statement sends <c>pg_notify</c> with the new generation, delivered
/// when the transaction commits. The store's writer thread is the only user of the writer connection;
/// <see cref="ReadAudit"/> takes a pooled one.</para>
/// <para><b>Replicas.</b> Opened with <c>replica</c>, the engine takes the advisory lock shared (replicas exclude a
/// server opened without it, and the other way round) and shares the database: a commit that finds the generation moved
/// holds the row lock, so the store reads the newest rows in that transaction and plans again
/// (<see cref="StoreEngine.LockState"/>); a <see cref="PostgreSqlChangeListener"/> LISTENs on its own connection and
/// tells the store when another replica committed, reconnecting by itself.</para>
/// <para><b>Failures.</b> A failed transaction is rolled back; when the connection itself broke it is dropped and the
/// next transaction opens a new one (taking the lock again). A <c>COMMIT</c> whose answer was lost may have committed:
/// the store re-reads the state after any failure, so its snapshot shows whichever happened.</para>
/// </remarks>
public sealed class PostgreSqlStoreEngine : StoreEngine
{
    /// <summary>First key of the advisory lock (the second is the schema's name hashed): "innernet" in ASCII, truncated.</summary>
    private const int AdvisoryLockKey = 0x696e6e65;

    /// <summary>How many generations of <c>peer_changes</c> are kept (see <see cref="PrunePeerChanges"/>).</summary>
    private const long PeerChangesKept = 10_000;

    /// <summary>How often a replica looks for other replicas' commits although no notification came.</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Moves the generation on (taking store_state's row lock) and announces it to the schema's listeners, as one
    /// statement: the new generation.
    /// </summary>
    private static readonly string AdvanceSql =
        "WITH advanced AS (UPDATE store_state SET generation = generation + 1 RETURNING generation) "
        + $"SELECT advanced.generation FROM advanced CROSS JOIN LATERAL (SELECT pg_notify({PostgreSqlChangeListener.ChannelSql}, "
        + "advanced.generation::text)) AS notified";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeSpan _checkInterval;
    private readonly ILogger _logger;
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private PostgreSqlChangeListener? _listener;

    /// <summary>
    /// The <c>store_state.generation</c> of the state last read or committed by this engine (written by the store's writer
    /// thread, read by the listener).
    /// </summary>
    private long _generation;

    /// <summary>
    /// The peers as of <see cref="_peerRowsGeneration"/>, by id: what the next read of the rows starts from (reading only the
    /// peers changed since). Writer thread only; null before the first read.
    /// </summary>
    private Dictionary<long, Peer>? _peerRows;

    private long _peerRowsGeneration;

    /// <summary>The open transaction has not locked store_state yet (and moved its generation on).</summary>
    private bool _statePending;

    /// <summary>The generation the open transaction moved store_state to (its commit makes it <see cref="_generation"/>).</summary>
    private long? _committing;
    private bool _closed;

    private PostgreSqlStoreEngine(NpgsqlDataSource dataSource, string source, bool replica, TimeSpan checkInterval, ILogger logger)
    {
        _dataSource = dataSource;
        Source = source;
        IsReplica = replica;
        _checkInterval = checkInterval;
        _logger = logger;
    }

    /// <inheritdoc />
    public override string Source { get; }

    /// <summary>Shares the database with other replicas (see the remarks).</summary>
    public override bool IsReplica { get; }

    /// <summary>Reads of every peer so far (the others read only changed peers); the writer thread counts, tests read.</summary>
    internal long FullPeerReads { get; private set; }

    /// <summary>The change listener's connections so far (a replica's, once the store opened; tests wait on it).</summary>
    internal long ListenerConnections => _listener?.Connections ?? 0;

    /// <summary>
    /// An engine for the database of <paramref name="connection"/> (see <see cref="PostgreSqlConnectionString"/>); connects on
    /// first use.
    /// </summary>
    /// <param name="connection">The connection setting.</param>
    /// <param name="replica">Share the database with other replicas instead of being its only writer.</param>
    /// <param name="loggers">Where a replica logs losing and regaining the other replicas' commits (none when null).</param>
    /// <exception cref="ValidationException">The connection setting is invalid or holds a password.</exception>
    public static PostgreSqlStoreEngine Connect(string connection, bool replica = false, ILoggerFactory? loggers = null)
        => Connect(connection, replica, DefaultCheckInterval, loggers);

    /// <summary>
    /// As <see cref="Connect(string, bool, ILoggerFactory?)"/>, a replica looking every <paramref name="checkInterval"/>
    /// (infinite: never).
    /// </summary>
    internal static PostgreSqlStoreEngine Connect(string connection, bool replica, TimeSpan checkInterval, ILoggerFactory? loggers = null)
    {
        var builder = PostgreSqlConnectionString.Parse(connection);
        var dataSource = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString).EnableArrays().Build();
        var logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<PostgreSqlChangeListener>();
        return new PostgreSqlStoreEngine(dataSource, PostgreSqlConnectionString.Describe(builder), replica, checkInterval, logger);
    }

    /// <inheritdoc />
    protected override void CreateSchema()
    {
        using (var check = Command("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY(@tables)"))
        {
            check.Parameters.AddWithValue("tables", PostgreSqlSchema.Tables);
            if ((long)check.ExecuteScalar()! != 0)
            {
                throw new StoreException($"The database {Source} already holds innernet tables; a new network needs an empty one.");
            }
        }

        foreach (string migration in PostgreSqlSchema.Migrations)
        {
            Execute(migration);
        }

        Execute(string.Create(
            CultureInfo.InvariantCulture, $"INSERT INTO schema_version (version) VALUES ({PostgreSqlSchema.CurrentVersion})"));
        Execute("INSERT INTO store_state (generation, last_cidr_id, last_peer_id, last_association_id) VALUES (0, 0, 0, 0)");
        _generation = 0;
        _statePending = false;
    }

    /// <inheritdoc />
    protected override void MigrateAndCheck()
    {
        using (var exists = Command("SELECT to_regclass('schema_version') IS NOT NULL"))
        {
            if (!(bool)exists.ExecuteScalar()!)
            {
                throw new StoreException($"The database {Source} holds no innernet-server network (no schema_version table).");
            }
        }

        int version;
        using (var read = Command("SELECT version FROM schema_version"))
        {
            version = read.ExecuteScalar() is int v ? v : 0;
        }

        if (version > PostgreSqlSchema.CurrentVersion)
        {
            string found = string.Create(CultureInfo.InvariantCulture, $"The database {Source} has schema version {version}");
            string supported = string.Create(
                CultureInfo.InvariantCulture, $"newer than the {PostgreSqlSchema.CurrentVersion} this innernet-server understands");
            throw new StoreException($"{found}, {supported}. Upgrade innernet-server; do not write to it with an older build.");
        }

        if (version < 1)
        {
            throw new StoreException(
                string.Create(CultureInfo.InvariantCulture, $"The database {Source} has an invalid schema version {version}."));
        }

        if (version < PostgreSqlSchema.CurrentVersion)
        {
            _transaction = Connection().BeginTransaction();
            try
            {
                for (int next = version + 1; next <= PostgreSqlSchema.CurrentVersion; next++)
                {
                    Execute(PostgreSqlSchema.Migrations[next - 1]);
                }

                Execute(string.Create(
                    CultureInfo.InvariantCulture, $"UPDATE schema_version SET version = {PostgreSqlSchema.CurrentVersion}"));
                _transaction!.Commit();
            }
            finally
            {
                EndTransaction();
            }
        }
    }

    /// <inheritdoc />
    protected override StoredRows ReadRows()
    {
        bool own = _transaction is null;
        if (own)
        {
            // One snapshot for every table.
            _transaction = Connection().BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        }

        try
        {
            var rows = ReadRowsInTransaction();
            if (own)
            {
                _transaction!.Commit();
            }

            return rows;
        }
        finally
        {
            if (own)
            {
                EndTransaction();
            }
        }
    }

    private StoredRows ReadRowsInTransaction()
    {
        IdSequences sequences;
        long generation, peerChangesFrom;
        using (var state = Command(
            "SELECT generation, last_cidr_id, last_peer_id, last_association_id, peer_changes_from FROM store_state"))
        using (var reader = state.ExecuteReader())
        {
            if (!reader.Read())
            {
                throw new StoreException($"The database {Source} is damaged: the store_state row is missing.");
            }

            // Read after this transaction moved the generation on (a replica's in-transaction read), the rows are those of the
            // generation before.
            generation = _committing is { } next ? next - 1 : reader.GetInt64(0);
            sequences = new IdSequences(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
            peerChangesFrom = reader.GetInt64(4);
        }

        var cidrs = Query("SELECT id, name, cidr, parent FROM cidrs", r => new Cidr(
            r.GetInt64(0), r.GetString(1), ReadNetwork(r.GetString(2)), r.IsDBNull(3) ? null : r.GetInt64(3)));
        var peers = ReadPeers(generation, peerChangesFrom);
        var associations = Query(
            "SELECT id, cidr_id_1, cidr_id_2 FROM associations", r => new Association(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)));
        var reserved = Query("SELECT ip, peer_id, name, until FROM reserved_ips", r => new ReservedIp(
            ReadAddress(r.GetString(0)), r.GetInt64(1), r.GetString(2), DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(3))));
        Volatile.Write(ref _generation, generation);
        return new StoredRows(cidrs, peers, associations, sequences, reserved);
    }

    /// <summary>
    /// The peers of <paramref name="generation"/>. With the peers of an earlier read kept (<see cref="_peerRows"/>) and the
    /// change log complete since then (<paramref name="peerChangesFrom"/> not past it), only the peers changed meanwhile are
    /// read, and a changed id no longer in <c>peers</c> was deleted; otherwise every peer.
    /// </summary>
    private List<Peer> ReadPeers(long generation, long peerChangesFrom)
    {
        if (_peerRows is { } kept && _peerRowsGeneration >= peerChangesFrom && _peerRowsGeneration <= generation)
        {
            long[] changed;
            using (var command = Command("SELECT DISTINCT peer_id FROM peer_changes WHERE generation > @since AND generation <= @until"))
            {
                command.Parameters.AddWithValue("since", _peerRowsGeneration);
                command.Parameters.AddWithValue("until", generation);
                using var reader = command.ExecuteReader();
                var ids = new List<long>();
                while (reader.Read())
                {
                    ids.Add(reader.GetInt64(0));
                }

                changed = [.. ids];
            }

            if (changed.Length > 0)
            {
                var read = QueryPeers(" WHERE id = ANY(@ids)", changed);
                foreach (long id in changed)
                {
                    kept.Remove(id);
                }

                foreach (var peer in read)
                {
                    kept[peer.Id] = peer;
                }
            }

            _peerRowsGeneration = generation;
            return [.. kept.Values];
        }

        var all = QueryPeers("", null);
        FullPeerReads++;
        _peerRows = all.ToDictionary(p => p.Id);
        _peerRowsGeneration = generation;
        return all;
    }

    /// <summary>Peers (with their key history) matching <paramref name="where"/> (empty: all; <c>@ids</c> bound when given).</summary>
    private List<Peer> QueryPeers(string where, long[]? ids)
    {
        var peers = Query(
            "SELECT id, name, ip, cidr_id, public_key, endpoint, persistent_keepalive_interval, is_admin, is_disabled, is_redeemed, "
            + "invite_expires, candidates FROM peers" + where,
            ids,
            r => new Peer
            {
                Id = r.GetInt64(0),
                Name = r.GetString(1),
                Ip = ReadAddress(r.GetString(2)),
                CidrId = r.GetInt64(3),
                PublicKey = ReadKey(r.GetString(4)),
                Endpoint = r.IsDBNull(5) ? null : ReadEndpoint(r.GetString(5)),
                PersistentKeepaliveInterval = r.IsDBNull(6) ? null : (ushort)r.GetInt32(6),
                IsAdmin = r.GetBoolean(7),
                IsDisabled = r.GetBoolean(8),
                IsRedeemed = r.GetBoolean(9),
                InviteExpires = r.IsDBNull(10) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(10)),
                Candidates = Array.AsReadOnly(r.GetFieldValue<string[]>(11).Select(c => ReadEndpoint(c)).ToArray()),
            });
        var rotations = Query(
            "SELECT peer_id, generation, old_public_key, public_key, signature FROM key_rotations"
            + (ids is null ? "" : " WHERE peer_id = ANY(@ids)") + " ORDER BY peer_id, generation",
            ids,
            r => (PeerId: r.GetInt64(0), Step: new KeyRotation
            {
                Generation = r.GetInt64(1),
                OldPublicKey = ReadKey(r.GetString(2)),
                PublicKey = ReadKey(r.GetString(3)),
                Signature = r.GetString(4),
            })).ToLookup(row => row.PeerId, row => row.Step);
        return [.. peers.Select(peer => rotations.Contains(peer.Id)
            ? peer with { KeyRotations = Array.AsReadOnly(rotations[peer.Id].ToArray()) }
            : peer)];
    }

    /// <inheritdoc />
    protected override void BeginTransaction()
    {
        if (_transaction is not null)
        {
            throw new InvalidOperationException("Internal error: a database transaction is already open.");
        }

        _transaction = Connection().BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        _statePending = true;
        _committing = null;
    }

    /// <summary>
    /// Before a transaction's first write: takes store_state's row lock and moves its generation on; true when the state
    /// this transaction was planned on is still the newest. A replica answers false when another one committed meanwhile
    /// (the store re-reads under the lock); an only writer fails instead, with nothing written.
    /// </summary>
    protected override bool LockState()
    {
        if (!_statePending)
        {
            return true;
        }

        long next = Advance();
        _statePending = false;
        _committing = next;
        if (next % PeerChangesKept == 0)
        {
            PrunePeerChanges(next);
        }

        if (next - 1 == Volatile.Read(ref _generation))
        {
            return true;
        }

        return IsReplica ? false : throw ChangedByAnotherWriter();
    }

    /// <summary>
    /// Once in <see cref="PeerChangesKept"/> generations, inside that generation's transaction: drops the change log's
    /// older part and moves <c>peer_changes_from</c> on (a replica whose rows are older then reads every peer).
    /// </summary>
    private void PrunePeerChanges(long generation)
    {
        using var prune = Command(
            "DELETE FROM peer_changes WHERE generation <= @from; "
            + "UPDATE store_state SET peer_changes_from = greatest(peer_changes_from, @from)");
        prune.Parameters.AddWithValue("from", generation - PeerChangesKept);
        prune.ExecuteNonQuery();
    }

    /// <summary>
    /// The transaction's first statement. A writer connection that broke while idle (PostgreSQL restarted) fails it with
    /// nothing sent of this transaction: once, the engine reconnects, begins again and repeats it.
    /// </summary>
    private long Advance()
    {
        try
        {
            using var advance = Command(AdvanceSql);
            return (long)advance.ExecuteScalar()!;
        }
        catch (Exception e) when (IsConnectionFailure(e) && _connection is { } broken && IsBroken(broken))
        {
            DropConnection();
            _transaction = Connection().BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
            using var advance = Command(AdvanceSql);
            return (long)advance.ExecuteScalar()!;
        }
    }

    private StoreException ChangedByAnotherWriter()
        => new($"The database {Source} was changed by another writer since this server read it; nothing was written.");

    /// <summary>A command that writes: the state is locked first (<see cref="LockState"/>).</summary>
    private NpgsqlCommand WriteCommand(string sql)
    {
        if (!LockState())
        {
            // Rows staged without the store's look at the state (creating, importing): never on a state another replica moved.
            throw ChangedByAnotherWriter();
        }

        return Command(sql);
    }

    /// <inheritdoc />
    protected override void CommitTransaction()
    {
        _transaction!.Commit();
        EndTransaction();
        if (_committing is { } next)
        {
            Volatile.Write(ref _generation, next);
        }

        _committing = null;
    }

    /// <inheritdoc />
    protected override bool IsStale()
    {
        if (!IsReplica)
        {
            return false;
        }

        bool Stale()
        {
            using var read = Command("SELECT generation FROM store_state");
            return read.ExecuteScalar() is not long generation || generation != Volatile.Read(ref _generation);
        }

        try
        {
            return Stale();
        }
        catch (Exception e) when (IsConnectionFailure(e) && _connection is { } broken && IsBroken(broken))
        {
            // Broken while idle (PostgreSQL restarted): once more, on a new connection.
            return Stale();
        }
    }

    /// <summary>
    /// Upserts this replica's row (on a pooled connection of its own, beside the writer's), forgets rows not seen for an
    /// hour, and reads the endpoints seen within <paramref name="liveFor"/> by the database's clock, so replicas' clocks
    /// need not agree.
    /// </summary>
    protected override IReadOnlyList<Endpoint> Heartbeat(Endpoint? own, TimeSpan liveFor)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        using var connection = _dataSource.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = own is null
            ? ""
            : """
              INSERT INTO replicas (endpoint, last_seen) VALUES (@own, now())
                  ON CONFLICT (endpoint) DO UPDATE SET last_seen = excluded.last_seen;
              DELETE FROM replicas WHERE last_seen < now() - interval '1 hour';
              """;
        command.CommandText += "SELECT endpoint FROM replicas WHERE last_seen >= now() - @live ORDER BY endpoint LIMIT @max";
        if (own is not null)
        {
            command.Parameters.AddWithValue("own", own.ToString());
        }

        command.Parameters.AddWithValue("live", liveFor);
        command.Parameters.AddWithValue("max", Innernet.Core.Api.ReplicaAnnouncement.MaxCount);
        var endpoints = new List<Endpoint>();
        using var reader = command.ExecuteReader();
        do
        {
            while (reader.FieldCount == 1 && reader.Read())
            {
                // Another build's row that is not an endpoint is not announced.
                if (Endpoint.TryParse(reader.GetString(0), out var endpoint))
                {
                    endpoints.Add(endpoint);
                }
            }
        }
        while (reader.NextResult());

        return endpoints;
    }

    /// <inheritdoc />
    protected override void Watch(Action changed)
    {
        if (IsReplica && _listener is null && !_closed)
        {
            _listener = new PostgreSqlChangeListener(
                _dataSource, Source, _checkInterval, () => Volatile.Read(ref _generation), changed, _logger);
        }
    }

    /// <summary>Why the listener does not hear the other replicas now (null while it listens, and for an only writer).</summary>
    public override string? WatchProblem => _listener?.Problem;

    /// <inheritdoc />
    protected override void Ping()
    {
        void Ask()
        {
            using var read = Command("SELECT generation FROM store_state");
            _ = read.ExecuteScalar();
        }

        try
        {
            Ask();
        }
        catch (Exception e) when (IsConnectionFailure(e) && _connection is { } broken && IsBroken(broken))
        {
            // Broken while idle (PostgreSQL restarted): once more, on a new connection, as the next write would.
            Ask();
        }
    }

    /// <inheritdoc />
    protected override bool TryRollback()
    {
        _statePending = false;
        _committing = null;
        if (_transaction is null)
        {
            return true;
        }

        try
        {
            _transaction.Rollback();
            EndTransaction();
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            // The connection broke: the server rolls the transaction back as the session ends. Start over on a new one.
            DropConnection();
        }

        return true;
    }

    /// <inheritdoc />
    protected override void InsertCidr(Cidr cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        using var command = WriteCommand("INSERT INTO cidrs (id, name, cidr, parent) VALUES (@id, @name, @cidr, @parent)");
        AddCidr(command, cidr);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    protected override void UpdateCidr(Cidr cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        using var command = WriteCommand("UPDATE cidrs SET name = @name, cidr = @cidr, parent = @parent WHERE id = @id");
        AddCidr(command, cidr);
        RequireOne(command, "CIDR", cidr.Id);
    }

    /// <inheritdoc />
    protected override void DeleteCidr(long id) => DeleteRow("cidrs", id);

    /// <inheritdoc />
    protected override void InsertPeer(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var command = WriteCommand(
            "INSERT INTO peers (id, name, ip, cidr_id, public_key, endpoint, persistent_keepalive_interval, is_admin, is_disabled, "
            + "is_redeemed, invite_expires, candidates) VALUES (@id, @name, @ip, @cidr_id, @public_key, @endpoint, @keepalive, @is_admin, "
            + "@is_disabled, @is_redeemed, @invite_expires, @candidates)");
        AddPeer(command, peer);
        command.ExecuteNonQuery();
        WriteKeyRotations(peer, replace: false);
    }

    /// <inheritdoc />
    protected override void UpdatePeer(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        using var command = WriteCommand(
            "UPDATE peers SET name = @name, ip = @ip, cidr_id = @cidr_id, public_key = @public_key, endpoint = @endpoint, "
            + "persistent_keepalive_interval = @keepalive, is_admin = @is_admin, is_disabled = @is_disabled, is_redeemed = @is_redeemed, "
            + "invite_expires = @invite_expires, candidates = @candidates WHERE id = @id");
        AddPeer(command, peer);
        RequireOne(command, "peer", peer.Id);
        WriteKeyRotations(peer, replace: true);
    }

    // A peer's key history is a few rows (at most KeyRotationProof.MaxHistory): rewritten whole when the peer changes.
    private void WriteKeyRotations(Peer peer, bool replace)
    {
        if (replace)
        {
            using var clear = WriteCommand("DELETE FROM key_rotations WHERE peer_id = @id");
            clear.Parameters.AddWithValue("id", peer.Id);
            clear.ExecuteNonQuery();
        }

        foreach (var step in peer.KeyRotations)
        {
            using var insert = WriteCommand(
                "INSERT INTO key_rotations (peer_id, generation, old_public_key, public_key, signature) "
                + "VALUES (@id, @generation, @old_public_key, @public_key, @signature)");
            insert.Parameters.AddWithValue("id", peer.Id);
            insert.Parameters.AddWithValue("generation", step.Generation);
            insert.Parameters.AddWithValue("old_public_key", step.OldPublicKey.ToBase64());
            insert.Parameters.AddWithValue("public_key", step.PublicKey.ToBase64());
            insert.Parameters.AddWithValue("signature", step.Signature);
            insert.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    protected override void DeletePeer(long id) => DeleteRow("peers", id);

    /// <inheritdoc />
    protected override void InsertAssociation(Association association)
    {
        ArgumentNullException.ThrowIfNull(association);
        using var command = WriteCommand("INSERT INTO associations (id, cidr_id_1, cidr_id_2) VALUES (@id, @a, @b)");
        command.Parameters.AddWithValue("id", association.Id);
        command.Parameters.AddWithValue("a", association.CidrId1);
        command.Parameters.AddWithValue("b", association.CidrId2);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    protected override void DeleteAssociation(long id) => DeleteRow("associations", id);

    /// <inheritdoc />
    protected override void WriteSequences(IdSequences sequences)
    {
        using var command = WriteCommand("UPDATE store_state SET last_cidr_id = @c, last_peer_id = @p, last_association_id = @a");
        command.Parameters.AddWithValue("c", sequences.LastCidrId);
        command.Parameters.AddWithValue("p", sequences.LastPeerId);
        command.Parameters.AddWithValue("a", sequences.LastAssociationId);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    protected override void WriteReservedIps(IReadOnlyCollection<ReservedIp> reserved)
    {
        ArgumentNullException.ThrowIfNull(reserved);
        using (var clear = WriteCommand("DELETE FROM reserved_ips"))
        {
            clear.ExecuteNonQuery();
        }

        foreach (var r in reserved)
        {
            using var command = WriteCommand("INSERT INTO reserved_ips (ip, peer_id, name, until) VALUES (@ip, @peer_id, @name, @until)");
            command.Parameters.AddWithValue("ip", r.Ip.ToString());
            command.Parameters.AddWithValue("peer_id", r.PeerId);
            command.Parameters.AddWithValue("name", r.Name);
            command.Parameters.AddWithValue("until", r.Until.ToUnixTimeSeconds());
            command.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    protected override long ReadLastAuditId()
    {
        using var command = Command("SELECT coalesce(max(id), 0) FROM audit");
        return (long)command.ExecuteScalar()!;
    }

    /// <inheritdoc />
    protected override void InsertAudit(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var command = WriteCommand(
            "INSERT INTO audit (id, time, actor, source, action, status) VALUES (@id, @time, @actor, @source, @action, @status)");
        command.Parameters.AddWithValue("id", entry.Id);
        command.Parameters.AddWithValue("time", entry.Time.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("actor", entry.Actor);
        command.Parameters.AddWithValue("source", entry.Source);
        command.Parameters.AddWithValue("action", entry.Action);
        command.Parameters.AddWithValue("status", entry.Status);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    protected override IReadOnlyList<AuditEntry> ReadAudit(DateTimeOffset? since)
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, time, actor, source, action, status FROM audit WHERE time >= @since ORDER BY id";
            command.Parameters.AddWithValue("since", since?.ToUnixTimeSeconds() ?? long.MinValue);
            using var reader = command.ExecuteReader();
            var entries = new List<AuditEntry>();
            while (reader.Read())
            {
                entries.Add(new AuditEntry(
                    reader.GetInt64(0), DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(1)),
                    reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5)));
            }

            return entries;
        }
        catch (Exception e) when (Wrap(e, $"Cannot read the audit log from {Source}") is { } wrapped)
        {
            throw wrapped;
        }
    }

    /// <inheritdoc />
    protected override bool IsUniqueViolation(Exception e)
        => e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <inheritdoc />
    protected override StoreException? Wrap(Exception e, string what)
        => e is NpgsqlException or IOException or TimeoutException or InvalidCastException
            ? new StoreException($"{what}: {e.Message}", e)
            : null;

    /// <inheritdoc />
    protected override void Close(bool abandon)
    {
        if (_closed)
        {
            return;
        }

        // Even a stuck transaction is safe to drop here: PostgreSQL rolls back whatever the session had not committed.
        _closed = true;
        _listener?.Dispose();
        DropConnection();
        _dataSource.Dispose();
    }

    /// <summary>
    /// The writer connection, opened (and the advisory lock taken: shared by replicas) on first use, and again after it broke
    /// outside a transaction.
    /// </summary>
    private NpgsqlConnection Connection()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_connection is { } open && (_transaction is not null || !IsBroken(open)))
        {
            return open;
        }

        DropConnection();
        var connection = _dataSource.OpenConnection();
        try
        {
            using var command = connection.CreateCommand();
            string function = IsReplica ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock";
            command.CommandText = $"SELECT {function}(@key, hashtext(current_schema()))";
            command.Parameters.AddWithValue("key", AdvisoryLockKey);
            if (!(bool)command.ExecuteScalar()!)
            {
                throw new StoreException(IsReplica
                    ? $"The database {Source} is in use by an innernet-server that is not a replica (its advisory lock is held)."
                    : $"The database {Source} is in use by another innernet-server (its advisory lock is held).");
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        _connection = connection;
        return connection;
    }

    /// <summary>Npgsql closes a connection whose session failed (the server went away, a fatal error).</summary>
    private static bool IsBroken(NpgsqlConnection connection)
        => connection.FullState.HasFlag(System.Data.ConnectionState.Broken) || connection.State == System.Data.ConnectionState.Closed;

    private static bool IsConnectionFailure(Exception e) => e is NpgsqlException or IOException or TimeoutException;

    private void EndTransaction()
    {
        _transaction?.Dispose();
        _transaction = null;
    }

    private void DropConnection()
    {
        try
        {
            _transaction?.Dispose();
            _connection?.Dispose();
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
        {
            // Already broken: nothing more to release.
        }

        _transaction = null;
        _connection = null;
    }

    private NpgsqlCommand Command(string sql)
    {
        var command = Connection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    private List<T> Query<T>(string sql, Func<NpgsqlDataReader, T> read) => Query(sql, null, read);

    private List<T> Query<T>(string sql, long[]? ids, Func<NpgsqlDataReader, T> read)
    {
        using var command = Command(sql);
        if (ids is not null)
        {
            command.Parameters.AddWithValue("ids", ids);
        }

        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private void DeleteRow(string table, long id)
    {
        using var command = WriteCommand($"DELETE FROM {table} WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        command.ExecuteNonQuery();
    }

    private void RequireOne(NpgsqlCommand command, string what, long id)
    {
        if (command.ExecuteNonQuery() != 1)
        {
            throw new StoreException(
                string.Create(CultureInfo.InvariantCulture, $"The database {Source} has no {what} row id {id} to update."));
        }
    }

    private static void AddCidr(NpgsqlCommand command, Cidr cidr)
    {
        command.Parameters.AddWithValue("id", cidr.Id);
        command.Parameters.AddWithValue("name", cidr.Name);
        command.Parameters.AddWithValue("cidr", cidr.Network.ToString());
        command.Parameters.AddWithValue("parent", (object?)cidr.Parent ?? DBNull.Value);
    }

    private static void AddPeer(NpgsqlCommand command, Peer peer)
    {
        command.Parameters.AddWithValue("id", peer.Id);
        command.Parameters.AddWithValue("name", peer.Name);
        command.Parameters.AddWithValue("ip", peer.Ip.ToString());
        command.Parameters.AddWithValue("cidr_id", peer.CidrId);
        command.Parameters.AddWithValue("public_key", peer.PublicKey.ToBase64());
        command.Parameters.AddWithValue("endpoint", (object?)peer.Endpoint?.ToString() ?? DBNull.Value);
        command.Parameters.AddWithValue("keepalive", peer.PersistentKeepaliveInterval is { } k ? (int)k : DBNull.Value);
        command.Parameters.AddWithValue("is_admin", peer.IsAdmin);
        command.Parameters.AddWithValue("is_disabled", peer.IsDisabled);
        command.Parameters.AddWithValue("is_redeemed", peer.IsRedeemed);
        command.Parameters.AddWithValue("invite_expires", peer.InviteExpires is { } t ? t.ToUnixTimeSeconds() : DBNull.Value);
        command.Parameters.AddWithValue("candidates", peer.Candidates.Select(c => c.ToString()).ToArray());
    }

    private static IPAddress ReadAddress(string text)
        => IPAddress.TryParse(text, out var value) ? value : throw Damaged("IP address", text);

    // The stored text is what ToString wrote; anything else (host bits set, garbage) is damage.
    private static IPNetwork ReadNetwork(string text)
        => IPNetwork.TryParse(text, out var value) && value.ToString() == text ? value : throw Damaged("IP network", text);

    private static WireGuardKey ReadKey(string text)
        => WireGuardKey.TryParse(text, out var value) ? value : throw Damaged("WireGuard key", text);

    private static Endpoint ReadEndpoint(string text) => Endpoint.TryParse(text, out var value) ? value : throw Damaged("endpoint", text);

    private static StoreException Damaged(string what, string text)
        => new($"The database holds an invalid {what}: '{text}'. It is damaged or was written by another program.");
}
