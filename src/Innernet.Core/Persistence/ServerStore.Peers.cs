using System.Collections.ObjectModel;
using System.Globalization;
using Innernet.Core.Model;
using Innernet.Core.Peers;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>Every peer (disabled and unredeemed ones included), in id order.</summary>
    public IReadOnlyList<Peer> ListPeers() => Current.Peers;

    /// <summary>The peer with this id, or null.</summary>
    public Peer? GetPeer(long id) => Current.FindPeer(id);

    /// <summary>The peer with this overlay IP, or null (how the API identifies a caller).</summary>
    public Peer? GetPeerByIp(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        var state = Current;
        return state.PeerIdsByIp.TryGetValue(ip, out long id) ? state.FindPeer(id) : null;
    }

    /// <summary>The peer with this name, or null.</summary>
    public Peer? GetPeerByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var state = Current;
        return state.PeerIdsByName.TryGetValue(name, out long id) ? state.FindPeer(id) : null;
    }

    /// <summary>
    /// The first assignable IP of the CIDR that no peer (disabled ones included) uses, as innernet's
    /// <c>add-peer</c> picks it. Another writer may take it before <see cref="AddPeer"/>; that call then fails cleanly.
    /// </summary>
    /// <exception cref="NotFoundException">No CIDR has this id.</exception>
    /// <exception cref="ValidationException">The CIDR is full.</exception>
    public IPAddress FindFreeIp(long cidrId)
    {
        var state = Current;
        var cidr = state.FindCidr(cidrId) ?? throw CidrNotFound(cidrId);
        return IpAllocator.FirstFree(cidr, state.Peers.Select(p => p.Ip).Concat(state.ReservedIps.Keys));
    }

    /// <summary>
    /// Adds a peer after <see cref="PeerRules.ValidateCreate"/> (hostname, CIDR exists, IP inside and
    /// assignable, name/IP/key unused). <c>invite_expires</c> is kept in whole seconds, as innernet does.
    /// </summary>
    /// <returns>The stored peer with its new id.</returns>
    /// <exception cref="ValidationException">A rule is broken or a unique value is taken.</exception>
    public Peer AddPeer(PeerContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        var normalized = contents with
        {
            InviteExpires = StoreMapper.ToStoredPrecision(contents.InviteExpires),
            Candidates = CheckedCandidates(contents.Candidates),
        };
        CheckKey(normalized.PublicKey);

        return Write(state =>
        {
            PeerRules.ValidateCreate(state.Cidrs, state.Peers, normalized);
            CheckIpNotReserved(state, normalized.Ip);
            var peer = normalized.WithId(state.Sequences.LastPeerId + 1);
            return new Planned<Peer>(peer, state.WithPeerAdded(peer), () => _engine.InsertPeer(peer));
        });
    }

    /// <summary>
    /// Applies an update: name (hostname, unused), endpoint, admin and disabled flags, candidates. IP, CIDR,
    /// key, redeemed flag and expiry never change here.
    /// </summary>
    /// <returns>The peer as stored after the update.</returns>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    /// <exception cref="ValidationException">The name is invalid or taken, or there are too many candidates.</exception>
    public Peer UpdatePeer(long id, PeerUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var candidates = CheckedCandidates(update.Candidates);
        return ReplacePeer(id, (state, peer) =>
        {
            PeerRules.ValidateRename(state.Peers, id, update.Name);
            return peer with
            {
                Name = update.Name,
                Endpoint = update.Endpoint,
                IsAdmin = update.IsAdmin,
                IsDisabled = update.IsDisabled,
                Candidates = candidates,
            };
        });
    }

    /// <summary>Disables (innernet's only kind of peer deletion) or re-enables a peer.</summary>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    public Peer SetDisabled(long id, bool disabled)
        => ReplacePeer(id, (_, peer) => peer with { IsDisabled = disabled });

    /// <summary>Sets or (null) clears the peer's endpoint override.</summary>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    public Peer SetEndpoint(long id, Endpoint? endpoint)
        => ReplacePeer(id, (_, peer) => peer with { Endpoint = endpoint });

    /// <summary>Replaces the peer's NAT-traversal candidates.</summary>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    /// <exception cref="ValidationException">
    /// More than <see cref="NetworkDefaults.MaxCandidates"/> candidates (innernet's API answers 413).
    /// </exception>
    public Peer SetCandidates(long id, IReadOnlyList<Endpoint> candidates)
    {
        var checkedCandidates = CheckedCandidates(candidates);
        return ReplacePeer(id, (_, peer) => peer with { Candidates = checkedCandidates });
    }

    /// <summary>Sets the server peer's (id 1) endpoint, the external endpoint invitees connect to.</summary>
    /// <exception cref="NotFoundException">The server peer is missing (a damaged database).</exception>
    public Peer SetServerEndpoint(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return SetEndpoint(Peer.ServerId, endpoint);
    }

    /// <summary>
    /// Redeems an invitation: swaps the temporary key for <paramref name="newPublicKey"/> and marks the peer
    /// redeemed, exactly once even when called concurrently. Repeating the redeem with the key already redeemed
    /// succeeds without a change (the invitee lost the first answer and retries).
    /// </summary>
    /// <returns>
    /// The peer before (with the temporary key the server must remove from WireGuard) and after; for a repeat both
    /// are the stored peer (<c>Before.IsRedeemed</c> is true).
    /// </returns>
    /// <exception cref="NotFoundException">No peer has this id (an expired invitation may have been swept).</exception>
    /// <exception cref="UnauthorizedException">The peer is disabled, or the invitation has expired.</exception>
    /// <exception cref="GoneException">The invitation was already redeemed with another key (also the losers of a race).</exception>
    /// <exception cref="ValidationException">The key is all zero or already used by another peer.</exception>
    public PeerChange Redeem(long id, WireGuardKey newPublicKey, DateTimeOffset now)
    {
        CheckKey(newPublicKey);
        return Write(state =>
        {
            var peer = state.FindPeer(id) ?? throw PeerNotFound(id);
            if (peer.IsDisabled)
            {
                throw new UnauthorizedException($"Peer '{peer.Name}' is disabled; its invitation cannot be redeemed.");
            }

            if (peer.IsRedeemed)
            {
                return peer.PublicKey == newPublicKey
                    ? Planned<PeerChange>.Unchanged(new PeerChange(peer, peer))
                    : throw new GoneException($"The invitation of peer '{peer.Name}' has already been redeemed.");
            }

            if (peer.InviteExpires is { } expires && expires < now)
            {
                throw new UnauthorizedException(string.Create(
                    CultureInfo.InvariantCulture, $"The invitation of peer '{peer.Name}' expired at {expires:u}."));
            }

            CheckKeyFree(state, newPublicKey, id);
            var redeemed = peer with { PublicKey = newPublicKey, IsRedeemed = true };
            return ReplacedPeer(state, new PeerChange(peer, redeemed), redeemed);
        });
    }

    /// <summary>
    /// Gives an unredeemed peer a new temporary key and expiry (a re-sent invitation; an extension to innernet).
    /// </summary>
    /// <returns>The peer before (whose old temporary key the server must remove from WireGuard) and after.</returns>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    /// <exception cref="ValidationException">The peer has redeemed already, or the key is all zero or used by another peer.</exception>
    public PeerChange ReissueInvitation(long id, WireGuardKey newTemporaryKey, DateTimeOffset expires)
    {
        CheckKey(newTemporaryKey);
        var storedExpiry = StoreMapper.ToStoredPrecision(expires);
        return Write(state =>
        {
            var peer = state.FindPeer(id) ?? throw PeerNotFound(id);
            if (peer.IsRedeemed)
            {
                throw new ValidationException(
                    $"Peer '{peer.Name}' has already redeemed its invitation; only an unredeemed peer's invitation can be re-issued.");
            }

            CheckKeyFree(state, newTemporaryKey, id);
            var reissued = peer with { PublicKey = newTemporaryKey, InviteExpires = storedExpiry };
            return ReplacedPeer(state, new PeerChange(peer, reissued), reissued);
        });
    }

    /// <summary>
    /// The sweeper: hard-deletes unredeemed peers whose invitation expired before <paramref name="now"/>,
    /// freeing their names and IPs (ids are not reused).
    /// </summary>
    /// <returns>The deleted peers, whose temporary keys the server must remove from WireGuard (innernet forgets to).</returns>
    public IReadOnlyList<Peer> DeleteExpiredInvitations(DateTimeOffset now) => Write(state =>
    {
        var expired = state.Peers
            .Where(p => !p.IsRedeemed && p.InviteExpires is { } expires && expires < now)
            .ToArray();
        if (expired.Length == 0)
        {
            return Planned<IReadOnlyList<Peer>>.Unchanged([]);
        }

        return new Planned<IReadOnlyList<Peer>>(expired, state.WithPeersRemoved(expired), () =>
        {
            foreach (var peer in expired)
            {
                _engine.DeletePeer(peer.Id);
            }
        });
    });

    /// <summary>
    /// Deletes a peer for good (innernet can only disable): its row goes, its name is free at once, its id is never
    /// handed out again, and its IP stays reserved from new peers until <paramref name="reserveIpUntil"/> (null frees it
    /// at once). The server (peer 1) cannot be deleted.
    /// </summary>
    /// <returns>The peer as it was.</returns>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    /// <exception cref="ValidationException">The peer is the server.</exception>
    public Peer DeletePeer(long id, DateTimeOffset? reserveIpUntil)
    {
        var until = StoreMapper.ToStoredPrecision(reserveIpUntil);
        return Write(state =>
        {
            var peer = state.FindPeer(id) ?? throw PeerNotFound(id);
            if (peer.Id == Peer.ServerId)
            {
                throw new ValidationException("The server (peer 1) cannot be deleted.");
            }

            var reserved = until is { } u
                ? state.ReservedIps.SetItem(peer.Ip, new ReservedIp(peer.Ip, peer.Id, peer.Name, u))
                : state.ReservedIps;
            return new Planned<Peer>(peer, state.WithPeersRemoved([peer], reserved), () =>
            {
                _engine.DeletePeer(peer.Id);
                _engine.WriteReservedIps(reserved.Values.ToArray());
            });
        });
    }

    /// <summary>The IPs of deleted peers that new peers may not take yet, in order of the deleted peers' ids.</summary>
    public IReadOnlyList<ReservedIp> ListReservedIps() => [.. Current.ReservedIps.Values.OrderBy(r => r.PeerId)];

    /// <summary>Frees reserved IPs whose time has come (<c>until</c> ≤ <paramref name="now"/>); returns them.</summary>
    public IReadOnlyList<ReservedIp> ReleaseExpiredIps(DateTimeOffset now) => Write(state =>
    {
        var due = state.ReservedIps.Values.Where(r => r.Until <= now).ToArray();
        if (due.Length == 0)
        {
            return Planned<IReadOnlyList<ReservedIp>>.Unchanged([]);
        }

        var reserved = state.ReservedIps.RemoveRange(due.Select(r => r.Ip));
        return new Planned<IReadOnlyList<ReservedIp>>(
            due, state.WithPeersRemoved([], reserved), () => _engine.WriteReservedIps(reserved.Values.ToArray()));
    });

    private static void CheckIpNotReserved(StoreSnapshot state, IPAddress ip)
    {
        if (state.ReservedIps.TryGetValue(ip, out var reserved))
        {
            string until = reserved.Until.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            throw new ValidationException(
                $"IP {ip} belonged to the deleted peer '{reserved.Name}' and is reserved until {until} UTC, so that no new peer "
                + "inherits the trust given to it; use another IP, or wait.");
        }
    }

    private Peer ReplacePeer(long id, Func<StoreSnapshot, Peer, Peer> change) => Write(state =>
    {
        var peer = state.FindPeer(id) ?? throw PeerNotFound(id);
        var updated = change(state, peer);
        return updated.Equals(peer) ? Planned<Peer>.Unchanged(peer) : ReplacedPeer(state, updated, updated);
    });

    /// <summary>The plan that stores <paramref name="peer"/> over the row with its id.</summary>
    private Planned<T> ReplacedPeer<T>(StoreSnapshot state, T result, Peer peer)
        => new(result, state.WithPeerReplaced(peer), () => _engine.UpdatePeer(peer));

    /// <summary>A private copy (callers may change their list later), at most <see cref="NetworkDefaults.MaxCandidates"/>.</summary>
    private static ReadOnlyCollection<Endpoint> CheckedCandidates(IReadOnlyList<Endpoint>? candidates)
    {
        if (candidates is null)
        {
            return ReadOnlyCollection<Endpoint>.Empty;
        }

        if (candidates.Count > NetworkDefaults.MaxCandidates)
        {
            throw new ValidationException(string.Create(
                CultureInfo.InvariantCulture,
                $"candidates: {candidates.Count} endpoints given; at most {NetworkDefaults.MaxCandidates} are accepted."));
        }

        if (candidates.Any(c => c is null))
        {
            throw new ValidationException("candidates: the list contains a null endpoint.");
        }

        return Array.AsReadOnly(candidates.ToArray());
    }

    private static void CheckKey(WireGuardKey key)
    {
        if (key.IsZero)
        {
            throw new ValidationException("public_key: the all-zero key is not a WireGuard public key.");
        }
    }

    private static void CheckKeyFree(StoreSnapshot state, WireGuardKey key, long ownId)
    {
        if (state.PeerIdsByKey.TryGetValue(key, out long owner) && owner != ownId)
        {
            throw new ValidationException("public_key: this key is already used by another peer.");
        }
    }

    private static NotFoundException PeerNotFound(long id) => new($"Peer {id} does not exist.");
}
