using System.Globalization;
using Innernet.Core.Model;
using LiteDB;

namespace Innernet.Core.Persistence;

/// <summary>
/// Collection and field names, the schema version and its migrations, the unique indexes and the id
/// sequences. Field names follow innernet's SQLite columns.
/// </summary>
internal static class StoreSchema
{
    /// <summary>The version this build writes. Opening a newer file fails; an older one is migrated.</summary>
    public const int CurrentVersion = 1;

    public const string Cidrs = "cidrs";
    public const string Peers = "peers";
    public const string Associations = "associations";
    public const string Meta = "meta";
    public const string Audit = "audit";

    /// <summary>Meta document holding <see cref="Fields.Value"/> = schema version.</summary>
    public const string SchemaVersionKey = "schema_version";

    /// <summary>Meta document holding the last id handed out per collection (ids are never reused).</summary>
    public const string SequencesKey = "sequences";

    /// <summary>Meta document holding the IPs of deleted peers that new peers may not take yet (absent: none).</summary>
    public const string ReservedIpsKey = "reserved_ips";

    /// <summary>
    /// Migrations from version N to N+1, index 0 = from 1 to 2. Each runs inside the open transaction of
    /// <see cref="MigrateAndCheck"/>. None yet: version 1 is the first LiteDB schema.
    /// </summary>
    private static readonly Action<LiteDatabase>[] Migrations = [];

    public static class Fields
    {
        public const string Value = "value";
        public const string Name = "name";
        public const string Cidr = "cidr";
        public const string Parent = "parent";
        public const string Ip = "ip";
        public const string CidrId = "cidr_id";
        public const string PublicKey = "public_key";
        public const string Endpoint = "endpoint";
        public const string PersistentKeepaliveInterval = "persistent_keepalive_interval";
        public const string IsAdmin = "is_admin";
        public const string IsDisabled = "is_disabled";
        public const string IsRedeemed = "is_redeemed";
        public const string InviteExpires = "invite_expires";
        public const string Candidates = "candidates";
        public const string CidrId1 = "cidr_id_1";
        public const string CidrId2 = "cidr_id_2";
        public const string Pair = "pair";
        public const string PeerId = "peer_id";
        public const string Until = "until";
        public const string Entries = "entries";
        public const string Time = "time";
        public const string Actor = "actor";
        public const string Source = "source";
        public const string Action = "action";
        public const string Status = "status";
    }

    /// <summary>The unique indexes, each named after its field: (collection, field).</summary>
    private static readonly (string Collection, string Field)[] UniqueIndexes =
    [
        (Cidrs, Fields.Name), (Cidrs, Fields.Cidr),
        (Peers, Fields.Name), (Peers, Fields.Ip), (Peers, Fields.PublicKey),
        (Associations, Fields.Pair),
    ];

    /// <summary>Creates the unique indexes (idempotent).</summary>
    public static void EnsureIndexes(LiteDatabase db)
    {
        foreach (var (collection, field) in UniqueIndexes)
        {
            db.GetCollection(collection).EnsureIndex(field, BsonExpression.Create(IndexExpression(field)), unique: true);
        }
    }

    /// <summary>
    /// <see cref="EnsureIndexes"/> when one is missing. Listing them is one read of LiteDB's <c>$indexes</c>; each
    /// <c>EnsureIndex</c> call parses and compiles its expression and runs a write transaction, which a cold open
    /// at 10,000 peers pays ~80 ms for.
    /// </summary>
    private static void EnsureIndexesIfMissing(LiteDatabase db)
    {
        var present = db.GetCollection("$indexes").FindAll()
            .Where(index => index["unique"] == true)
            .Select(index => (index["collection"].AsString, index["name"].AsString, index["expression"].AsString))
            .ToHashSet();
        if (!UniqueIndexes.All(index => present.Contains((index.Collection, index.Field, IndexExpression(index.Field)))))
        {
            EnsureIndexes(db);
        }
    }

    private static string IndexExpression(string field) => "$." + field;

    /// <summary>Writes the version and zeroed sequences into a new database.</summary>
    public static void Initialize(LiteDatabase db)
    {
        var meta = db.GetCollection(Meta);
        meta.Insert(new BsonDocument { ["_id"] = SchemaVersionKey, [Fields.Value] = CurrentVersion });
        meta.Insert(new BsonDocument
        {
            ["_id"] = SequencesKey,
            [Cidrs] = 0L,
            [Peers] = 0L,
            [Associations] = 0L,
        });
        EnsureIndexes(db);
    }

    /// <summary>Reads the version, refuses newer or missing ones, and runs pending migrations.</summary>
    /// <exception cref="StoreException">The file is not an innernet-server database or is too new.</exception>
    public static void MigrateAndCheck(LiteDatabase db, string source)
    {
        var meta = db.GetCollection(Meta);
        int version = ReadVersion(meta, source);
        if (version < CurrentVersion)
        {
            db.BeginTrans();
            try
            {
                for (int from = version; from < CurrentVersion; from++)
                {
                    Migrations[from - 1](db);
                }

                meta.Upsert(new BsonDocument { ["_id"] = SchemaVersionKey, [Fields.Value] = CurrentVersion });
                db.Commit();
            }
            catch
            {
                db.Rollback();
                throw;
            }
        }

        CheckCollation(db, source);
        EnsureIndexesIfMissing(db);
    }

    /// <summary>
    /// What a reader needs (<see cref="ReadOnlyServerStore"/>): the version this build reads as it is and the binary
    /// collation. Nothing is written: an older schema, which only a writer may migrate, is refused, and the unique indexes
    /// (the writer's concern) are not looked at.
    /// </summary>
    /// <exception cref="StoreException">The file is not an innernet-server database, too new or not yet migrated.</exception>
    public static void CheckReadable(LiteDatabase db, string source)
    {
        int version = ReadVersion(db.GetCollection(Meta), source);
        if (version < CurrentVersion)
        {
            throw new StoreException(string.Create(
                CultureInfo.InvariantCulture,
                $"'{source}' has database schema version {version}; open it once with a command that writes (or 'serve') to migrate it."));
        }

        CheckCollation(db, source);
    }

    /// <summary>The stored schema version, refusing a missing, newer or invalid one.</summary>
    private static int ReadVersion(ILiteCollection<BsonDocument> meta, string source)
    {
        var value = meta.FindById(SchemaVersionKey)?[Fields.Value];
        if (value is null || !value.IsNumber)
        {
            throw new StoreException($"'{source}' is a LiteDB file but not an innernet-server database: it has no schema version.");
        }

        int version = value.AsInt32;
        if (version > CurrentVersion)
        {
            string found = string.Create(CultureInfo.InvariantCulture, $"'{source}' has database schema version {version}");
            string supported = string.Create(
                CultureInfo.InvariantCulture, $"newer than the {CurrentVersion} this innernet-server understands");
            throw new StoreException($"{found}, {supported}. Upgrade innernet-server; do not write to this file with an older build.");
        }

        if (version < 1)
        {
            throw new StoreException(string.Create(
                CultureInfo.InvariantCulture, $"'{source}' has an invalid database schema version {version}."));
        }

        return version;
    }

    private static void CheckCollation(LiteDatabase db, string source)
    {
        if (db.Collation.SortOptions != CompareOptions.Ordinal)
        {
            throw new StoreException(
                $"'{source}' uses collation '{db.Collation}', not the binary collation innernet-server databases are created with.");
        }
    }

    /// <summary>The last ids handed out, read from the meta collection.</summary>
    public static IdSequences ReadSequences(LiteDatabase db, string source)
    {
        var document = db.GetCollection(Meta).FindById(SequencesKey)
            ?? throw new StoreException($"'{source}' is damaged: the id sequences are missing.");
        return new IdSequences(
            document[Cidrs].AsInt64,
            document[Peers].AsInt64,
            document[Associations].AsInt64);
    }

    /// <summary>Stores the sequences (inside the caller's transaction).</summary>
    public static void WriteSequences(LiteDatabase db, IdSequences sequences)
        => db.GetCollection(Meta).Upsert(new BsonDocument
        {
            ["_id"] = SequencesKey,
            [Cidrs] = sequences.LastCidrId,
            [Peers] = sequences.LastPeerId,
            [Associations] = sequences.LastAssociationId,
        });

    /// <summary>The reserved IPs (none when the document is absent: files written before deletion existed).</summary>
    public static IReadOnlyList<ReservedIp> ReadReservedIps(LiteDatabase db)
    {
        if (db.GetCollection(Meta).FindById(ReservedIpsKey) is not { } document)
        {
            return [];
        }

        var entries = StoreMapper.Required(document, Fields.Entries);
        if (!entries.IsArray)
        {
            throw StoreMapper.Corrupt("reserved IP list", entries);
        }

        return [.. entries.AsArray.Select(entry =>
        {
            if (!entry.IsDocument)
            {
                throw StoreMapper.Corrupt("reserved IP", entry);
            }

            var row = entry.AsDocument;
            return new ReservedIp(
                StoreMapper.ReadIPAddress(StoreMapper.Required(row, Fields.Ip)),
                StoreMapper.ReadInt64(StoreMapper.Required(row, Fields.PeerId), Fields.PeerId),
                StoreMapper.ReadString(StoreMapper.Required(row, Fields.Name), Fields.Name),
                StoreMapper.ReadTime(StoreMapper.Required(row, Fields.Until)));
        })];
    }

    /// <summary>Stores the reserved IPs (inside the caller's transaction).</summary>
    public static void WriteReservedIps(LiteDatabase db, IEnumerable<ReservedIp> reserved)
        => db.GetCollection(Meta).Upsert(new BsonDocument
        {
            ["_id"] = ReservedIpsKey,
            [Fields.Entries] = new BsonArray(reserved.OrderBy(r => r.PeerId).Select(r => (BsonValue)new BsonDocument
            {
                [Fields.Ip] = StoreMapper.Write(r.Ip),
                [Fields.PeerId] = r.PeerId,
                [Fields.Name] = r.Name,
                [Fields.Until] = StoreMapper.Write(r.Until),
            })),
        });
}
