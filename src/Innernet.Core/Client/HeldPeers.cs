using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Client;

/// <summary>
/// A view of peers the client holds, indexed by id, IP and public key, each lookup O(1). The live applier keeps
/// one per network; <see cref="ServerAnswerValidator.ValidateChange"/> checks a difference against it. Not
/// thread-safe.
/// </summary>
public sealed class HeldPeers
{
    private readonly Dictionary<long, Peer> _byId = [];
    private readonly Dictionary<IPAddress, Peer> _byIp = [];
    private readonly Dictionary<WireGuardKey, Peer> _byKey = [];

    /// <summary>A view of the given (already checked: unique ids, IPs and keys) peers.</summary>
    public HeldPeers(IEnumerable<Peer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        foreach (var peer in peers)
        {
            Set(peer);
        }
    }

    /// <summary>A new empty view (what a whole answer is checked against).</summary>
    public static HeldPeers None => new([]);

    /// <summary>How many peers are held.</summary>
    public int Count => _byId.Count;

    /// <summary>The held peers, in no particular order.</summary>
    public IEnumerable<Peer> All => _byId.Values;

    /// <summary>The peer with this id, or null.</summary>
    public Peer? ById(long id) => _byId.GetValueOrDefault(id);

    /// <summary>The peer with this IP, or null.</summary>
    public Peer? ByIp(IPAddress ip) => _byIp.GetValueOrDefault(ip);

    /// <summary>The peer with this key, or null.</summary>
    public Peer? ByKey(WireGuardKey key) => _byKey.GetValueOrDefault(key);

    /// <summary>Adds or replaces (by id) a peer; a replaced version's IP and key are unindexed.</summary>
    public void Set(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        Remove(peer.Id);
        _byId[peer.Id] = peer;
        _byIp[peer.Ip] = peer;
        _byKey[peer.PublicKey] = peer;
    }

    /// <summary>Removes the peer with this id; returns it, or null when none was held.</summary>
    public Peer? Remove(long id)
    {
        if (!_byId.Remove(id, out var old))
        {
            return null;
        }

        if (_byIp.TryGetValue(old.Ip, out var atIp) && atIp.Id == id)
        {
            _byIp.Remove(old.Ip);
        }

        if (_byKey.TryGetValue(old.PublicKey, out var withKey) && withKey.Id == id)
        {
            _byKey.Remove(old.PublicKey);
        }

        return old;
    }
}
