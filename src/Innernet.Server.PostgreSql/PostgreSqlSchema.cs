namespace Innernet.Server.PostgreSql;

/// <summary>
/// The PostgreSQL schema: a <c>schema_version</c> table and the migrations that bring a database to
/// <see cref="CurrentVersion"/>. Columns follow innernet's SQLite tables and keep values in the same text forms
/// (addresses, ranges and endpoints as text, keys in base64, times in unix seconds), so a dump reads like innernet's.
/// </summary>
/// <remarks>
/// The invariants the store checks are also constraints here, so no bug and no second writer can break them: unique
/// name/IP/key of peers, unique name and range of CIDRs, one association per pair (in either order), references between
/// rows (checked at commit), and id counters that never go down (a trigger), so an id is never handed out twice.
/// </remarks>
internal static class PostgreSqlSchema
{
    /// <summary>The version this build writes. Opening a newer database fails; an older one is migrated.</summary>
    public const int CurrentVersion = 4;

    /// <summary>The tables a database with a network has (any of them present: not empty).</summary>
    public static readonly string[] Tables =
        ["schema_version", "store_state", "cidrs", "peers", "associations", "reserved_ips", "audit", "key_rotations", "peer_changes",
            "replicas"];

    /// <summary>
/// Migration N (index N-1) takes a database from version N-1 to N: 1 creates the model of innernet 1.7 plus deleted
/// peers' reserved IPs and the audit log; 2 adds peers' signed key history (<c>inn rotate-key</c>); 3 adds the log of
/// which peers each generation changed (<c>peer_changes</c>, written by triggers on <c>peers</c> and <c>key_rotations</c>
/// whoever writes, complete after <c>store_state.peer_changes_from</c>), from which a replica re-reads only those peers;
/// 4 the replicas' external endpoints with the time each was last seen (announced to clients for failover; not part of
/// the network's model).
/// </summary>
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE schema_version (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            version integer NOT NULL);
        CREATE TABLE store_state (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            generation bigint NOT NULL,
            last_cidr_id bigint NOT NULL CHECK (last_cidr_id >= 0),
            last_peer_id bigint NOT NULL CHECK (last_peer_id >= 0),
            last_association_id bigint NOT NULL CHECK (last_association_id >= 0));
        CREATE FUNCTION store_state_ids_only_grow() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.last_cidr_id < OLD.last_cidr_id OR NEW.last_peer_id < OLD.last_peer_id
                OR NEW.last_association_id < OLD.last_association_id THEN
                RAISE EXCEPTION 'innernet: id counters never go down (ids are never reused)' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER store_state_ids_only_grow BEFORE UPDATE ON store_state
            FOR EACH ROW EXECUTE FUNCTION store_state_ids_only_grow();
        CREATE TABLE cidrs (
            id bigint PRIMARY KEY CHECK (id > 0),
            name text NOT NULL UNIQUE,
            cidr text NOT NULL UNIQUE,
            parent bigint REFERENCES cidrs (id) DEFERRABLE INITIALLY DEFERRED);
        CREATE TABLE peers (
            id bigint PRIMARY KEY CHECK (id > 0),
            name text NOT NULL UNIQUE,
            ip text NOT NULL UNIQUE,
            cidr_id bigint NOT NULL REFERENCES cidrs (id) DEFERRABLE INITIALLY DEFERRED,
            public_key text NOT NULL UNIQUE,
            endpoint text,
            persistent_keepalive_interval integer CHECK (persistent_keepalive_interval BETWEEN 0 AND 65535),
            is_admin boolean NOT NULL,
            is_disabled boolean NOT NULL,
            is_redeemed boolean NOT NULL,
            invite_expires bigint,
            candidates text[] NOT NULL DEFAULT '{}');
        CREATE TABLE associations (
            id bigint PRIMARY KEY CHECK (id > 0),
            cidr_id_1 bigint NOT NULL REFERENCES cidrs (id) DEFERRABLE INITIALLY DEFERRED,
            cidr_id_2 bigint NOT NULL REFERENCES cidrs (id) DEFERRABLE INITIALLY DEFERRED,
            CHECK (cidr_id_1 <> cidr_id_2));
        CREATE UNIQUE INDEX associations_pair ON associations (least(cidr_id_1, cidr_id_2), greatest(cidr_id_1, cidr_id_2));
        CREATE TABLE reserved_ips (
            ip text PRIMARY KEY,
            peer_id bigint NOT NULL,
            name text NOT NULL,
            until bigint NOT NULL);
        CREATE TABLE audit (
            id bigint PRIMARY KEY CHECK (id > 0),
            time bigint NOT NULL,
            actor text NOT NULL,
            source text NOT NULL,
            action text NOT NULL,
            status integer NOT NULL);
        CREATE INDEX audit_time ON audit (time);
        """,
        """
        CREATE TABLE key_rotations (
            peer_id bigint NOT NULL REFERENCES peers (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            generation bigint NOT NULL CHECK (generation > 0),
            old_public_key text NOT NULL,
            public_key text NOT NULL,
            signature text NOT NULL,
            PRIMARY KEY (peer_id, generation));
        """,
        """
        CREATE TABLE peer_changes (
            generation bigint NOT NULL,
            peer_id bigint NOT NULL);
        CREATE INDEX peer_changes_generation ON peer_changes (generation);
        ALTER TABLE store_state ADD COLUMN peer_changes_from bigint NOT NULL DEFAULT 0;
        UPDATE store_state SET peer_changes_from = generation;
        CREATE FUNCTION log_peer_change() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            changed jsonb;
        BEGIN
            -- TG_ARGV[0]: the column holding the peer's id.
            IF TG_OP = 'DELETE' THEN changed := to_jsonb(OLD); ELSE changed := to_jsonb(NEW); END IF;
            INSERT INTO peer_changes (generation, peer_id) SELECT generation, (changed ->> TG_ARGV[0])::bigint FROM store_state;
            RETURN NULL;
        END $$;
        CREATE TRIGGER peers_log_change AFTER INSERT OR UPDATE OR DELETE ON peers
            FOR EACH ROW EXECUTE FUNCTION log_peer_change('id');
        CREATE TRIGGER key_rotations_log_change AFTER INSERT OR UPDATE OR DELETE ON key_rotations
            FOR EACH ROW EXECUTE FUNCTION log_peer_change('peer_id');
        """,
        """
        CREATE TABLE replicas (
            endpoint text PRIMARY KEY,
            last_seen timestamptz NOT NULL);
        """,
    ];
}
