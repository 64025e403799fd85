using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Innernet.Core.Contracts;
using Innernet.Core.IO;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Client;

/// <summary>
/// The client's peer cache, <c>/var/lib/innernet/&lt;iface&gt;.json</c>. It pins each overlay IP to
/// the public key first seen for it, keeps peers the server stopped listing (marked disabled), and replaces
/// the CIDR list on every update. Writes are atomic, mode 0600. Not thread-safe. Opened for a network
/// (<see cref="Open(string, WireGuardKey)"/>), a pin also moves along a valid key rotation proof
/// (<see cref="KeyRotationProof"/>); otherwise a changed key is always refused.
/// </summary>
public sealed class DataStore
{
    private const string CurrentVersion = "1";

    // The file is read in pieces of this size (and the first piece decides whether the file is blank).
    private const int ReadBuffer = 16 * 1024;

    private List<Peer> _peers;
    private List<Cidr> _cidrs;

    // Position in _peers of each cached IP (its pin), built on first use and kept in step by every change, so a
    // pin check or a difference costs O(peers checked), not O(cache).
    private Dictionary<IPAddress, int>? _index;

    // The network's server key that rotation proofs are bound to; null accepts no rotation.
    private WireGuardKey? _networkKey;

    private DataStore(string path, List<Peer> peers, List<Cidr> cidrs, IReadOnlyList<string> warnings, string? contentHash)
    {
        FilePath = path;
        _peers = peers;
        _cidrs = cidrs;
        Warnings = warnings;
        ContentHash = contentHash;
    }

    /// <summary>The cache file.</summary>
    public string FilePath { get; }

    /// <summary>Cached peers: every peer ever seen, in first-seen order.</summary>
    public IReadOnlyList<Peer> Peers => _peers;

    /// <summary>The CIDRs from the last update.</summary>
    public IReadOnlyList<Cidr> Cidrs => _cidrs;

    /// <summary>Warnings from opening the file (e.g. world-accessible).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// The SHA-256 (lowercase hex) of the file's bytes as read by <see cref="Open(string)"/> or last written; null when there
    /// was no file. Ties other files to exactly this cache (<see cref="StateEntityTagFile"/>).
    /// </summary>
    public string? ContentHash { get; private set; }

    /// <summary>
    /// Opens the cache. A missing (or empty) file gives an empty cache; nothing is written until
    /// <see cref="UpdatePeersAndSetCidrs"/>. Unlike innernet, a corrupt file is an error, not an empty cache:
    /// silently dropping it would also drop the pinned keys.
    /// </summary>
    /// <exception cref="InnernetException">The file is unreadable, corrupt or of an unknown version.</exception>
    public static DataStore Open(string path)
    {
        return OpenFile(path, hash: true);
    }

    /// <summary>
    /// Opens the cache only to list it (<c>show</c>, <c>list-cidrs</c>): as <see cref="Open(string)"/>, but the file is
    /// not hashed, so <see cref="ContentHash"/> is null and nothing tied to it (the conditional-GET tag) can be checked.
    /// A listing verb so needs no SHA-256, whose first use loads the system's crypto library.
    /// </summary>
    /// <exception cref="InnernetException">The file is unreadable, corrupt or of an unknown version.</exception>
    public static DataStore OpenToList(string path)
    {
        return OpenFile(path, hash: false);
    }

    /// <summary>
    /// Opens the cache of the network whose server key is <paramref name="serverKey"/> (from the client's config): a
    /// changed key for a pinned IP is then accepted when the peer record proves that the holder of the pinned key asked
    /// for it (<see cref="KeyRotationProof.ChainProblem"/>).
    /// </summary>
    /// <exception cref="InnernetException">The file is unreadable, corrupt or of an unknown version.</exception>
    public static DataStore Open(string path, WireGuardKey serverKey)
    {
        var store = OpenFile(path, hash: true);
        store._networkKey = serverKey;
        return store;
    }

    private static DataStore OpenFile(string path, bool hash)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            return new DataStore(path, [], [], [], null);
        }

        DataStoreContents? contents;
        string? contentHash;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ReadBuffer, FileOptions.SequentialScan);
            (contents, contentHash) = Read(file, path, hash);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InnernetException($"Cannot read the peer cache '{path}': {e.Message}", e);
        }

        var warnings = new List<string>();
        if (AtomicFile.IsWorldAccessible(path))
        {
            warnings.Add($"'{path}' is world-accessible. Run: chmod 600 '{path}'");
        }

        return contents is not null
            ? new DataStore(path, contents.Peers, contents.Cidrs, warnings, contentHash)
            : new DataStore(path, [], [], warnings, contentHash);
    }

    /// <summary>
    /// The contents (null for a blank file) and, when <paramref name="hash"/>, the hash of the file's bytes. A cache of thousands of peers is megabytes:
    /// it is decoded as it is read, never held whole. Only a file whose first bytes leave open whether it is blank (all
    /// whitespace, or starting with a character that is not printable ASCII) is read whole and decided as such.
    /// </summary>
    private static (DataStoreContents? Contents, string? Hash) Read(FileStream file, string path, bool hash)
    {
        byte[] head = new byte[ReadBuffer];
        int read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        int first = head.AsSpan(0, read).IndexOfAnyExcept(" \t\r\n"u8);
        file.Position = 0;
        if (first < 0 || head[first] is < 0x21 or > 0x7e)
        {
            using var whole = new MemoryStream();
            file.CopyTo(whole);
            byte[] bytes = whole.ToArray();
            return (Parse(bytes, path), hash ? HashOf(bytes) : null);
        }

        if (!hash)
        {
            return (Checked(Decode(file, path), path), null);
        }

        using var sha = SHA256.Create();
        DataStoreContents? contents;
        using (var hashing = new CryptoStream(file, sha, CryptoStreamMode.Read, leaveOpen: true))
        {
            contents = Decode(hashing, path);

            // The serializer reads to the end; this only makes sure the hash has seen every byte.
            hashing.CopyTo(Stream.Null);
        }

        return (Checked(contents, path), Convert.ToHexStringLower(sha.Hash!));
    }

    private static DataStoreContents? Decode(Stream json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize(json, DataStoreJsonContext.Default.DataStoreContents);
        }
        catch (JsonException e)
        {
            throw Corrupt(path, e.Message, e);
        }
    }

    /// <summary>
    /// Whether the file is empty or all whitespace, without decoding a cache of megabytes: the usual first character of a
    /// cache (<c>{</c>, printable ASCII, never whitespace) decides at once; any other falls back to decoding the rest.
    /// </summary>
    private static bool IsBlank(byte[] bytes)
    {
        int first = bytes.AsSpan().IndexOfAnyExcept(" \t\r\n"u8);
        return first < 0
            || (bytes[first] is < 0x21 or > 0x7e && Encoding.UTF8.GetString(bytes, first, bytes.Length - first).Trim().Length == 0);
    }

    /// <summary>The cache file's contents; null for an empty (or all-whitespace) file.</summary>
    /// <exception cref="InnernetException">The JSON is corrupt or of an unknown version.</exception>
    internal static DataStoreContents? Parse(byte[] bytes, string path)
    {
        if (IsBlank(bytes))
        {
            return null;
        }

        DataStoreContents? contents;
        try
        {
            contents = JsonSerializer.Deserialize(bytes, DataStoreJsonContext.Default.DataStoreContents);
        }
        catch (JsonException e)
        {
            throw Corrupt(path, e.Message, e);
        }

        return Checked(contents, path);
    }

    /// <summary>A decoded cache that is not null and of the version this innernet reads.</summary>
    private static DataStoreContents Checked(DataStoreContents? contents, string path)
    {
        if (contents is null)
        {
            throw Corrupt(path, "it contains null", null);
        }

        if (contents.Version != CurrentVersion)
        {
            throw new InnernetException(
                $"The peer cache '{path}' has version '{contents.Version}'; this innernet only reads version '{CurrentVersion}'.");
        }

        return contents;
    }

    /// <summary>
    /// Checks the pins without changing anything: a peer whose IP is cached with a different public key means
    /// the server (or someone posing as it) tries to re-key an existing peer, unless the store was opened for the
    /// network and the peer carries a valid chain of key rotation proofs from the pinned key. Run this BEFORE applying
    /// any WireGuard change derived from <paramref name="peers"/>; the pin moves when the peer is stored.
    /// </summary>
    /// <exception cref="PinningException">"PINNING ERROR: …" naming the peer and IP.</exception>
    public void CheckPins(IEnumerable<Peer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var index = Index();
        foreach (var peer in peers)
        {
            if (index.TryGetValue(peer.Ip, out int i) && _peers[i] is var cached && cached.PublicKey != peer.PublicKey)
            {
                string? problem = _networkKey is { } networkKey
                    ? KeyRotationProof.ChainProblem(cached, peer, networkKey)
                    : "this cache accepts no key rotation";
                if (problem is not null)
                {
                    throw new PinningException(
                        $"PINNING ERROR: New peer '{peer.Name}' has the same IP ({peer.Ip}) as cached peer '{cached.Name}' but a " +
                        $"different public key (cached {cached.PublicKey}, received {peer.PublicKey}) and {problem}. Refusing to update.");
                }
            }
        }
    }

    /// <summary>True when changes made by <see cref="ApplyDifference"/> are not written yet.</summary>
    public bool HasUnsavedChanges { get; private set; }

    /// <summary>
    /// Merges a difference of the server's view in memory, without writing (<see cref="Save"/> writes): checks the
    /// pins of <paramref name="changed"/> first (nothing changes on failure), replaces cached peers by IP or appends
    /// new ones, marks the peers at <paramref name="removedIps"/> disabled, and replaces the CIDRs when given.
    /// Costs O(change).
    /// </summary>
    /// <exception cref="PinningException">A pin is broken; the cache is unchanged.</exception>
    public void ApplyDifference(IReadOnlyCollection<Peer> changed, IEnumerable<IPAddress> removedIps, IReadOnlyCollection<Cidr>? cidrs)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(removedIps);
        CheckPins(changed);
        var index = Index();
        foreach (var ip in removedIps)
        {
            if (index.TryGetValue(ip, out int i) && !_peers[i].IsDisabled)
            {
                _peers[i] = _peers[i] with { IsDisabled = true };
                HasUnsavedChanges = true;
            }
        }

        foreach (var peer in changed)
        {
            if (index.TryGetValue(peer.Ip, out int i))
            {
                if (!_peers[i].Equals(peer))
                {
                    _peers[i] = peer;
                    HasUnsavedChanges = true;
                }
            }
            else
            {
                index[peer.Ip] = _peers.Count;
                _peers.Add(peer);
                HasUnsavedChanges = true;
            }
        }

        if (cidrs is not null && !cidrs.SequenceEqual(_cidrs))
        {
            _cidrs = [.. cidrs];
            HasUnsavedChanges = true;
        }
    }

    /// <summary>Writes the cache when <see cref="ApplyDifference"/> left unsaved changes; true when it wrote.</summary>
    public bool Save()
    {
        if (!HasUnsavedChanges)
        {
            return false;
        }

        Write(_peers, _cidrs);
        HasUnsavedChanges = false;
        return true;
    }

    private Dictionary<IPAddress, int> Index()
    {
        if (_index is null)
        {
            _index = new Dictionary<IPAddress, int>(_peers.Count);
            for (int i = 0; i < _peers.Count; i++)
            {
                _index.TryAdd(_peers[i].Ip, i);
            }
        }

        return _index;
    }

    /// <summary>
    /// Merges the server's view: checks the pins first (nothing changes on failure), replaces cached peers by
    /// IP or appends new ones, marks cached peers missing from <paramref name="peers"/> as disabled, replaces the
    /// CIDRs, and writes the file.
    /// </summary>
    /// <exception cref="PinningException">A pin is broken; the cache and the file are unchanged.</exception>
    public void UpdatePeersAndSetCidrs(IReadOnlyCollection<Peer> peers, IReadOnlyCollection<Cidr> cidrs)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(cidrs);
        CheckPins(peers);

        var merged = new List<Peer>(_peers);
        var index = new Dictionary<IPAddress, int>();
        for (int i = 0; i < merged.Count; i++)
        {
            index.TryAdd(merged[i].Ip, i);
        }

        var received = new HashSet<IPAddress>();
        foreach (var peer in peers)
        {
            received.Add(peer.Ip);
            if (index.TryGetValue(peer.Ip, out int i))
            {
                merged[i] = peer;
            }
            else
            {
                index[peer.Ip] = merged.Count;
                merged.Add(peer);
            }
        }

        for (int i = 0; i < merged.Count; i++)
        {
            if (!received.Contains(merged[i].Ip) && !merged[i].IsDisabled)
            {
                merged[i] = merged[i] with { IsDisabled = true };
            }
        }

        var newCidrs = cidrs.ToList();
        Write(merged, newCidrs);
        _peers = merged;
        _cidrs = newCidrs;
        _index = index;
        HasUnsavedChanges = false;
    }

    private void Write(List<Peer> peers, List<Cidr> cidrs)
    {
        byte[] json = InnernetJson.SerializeToUtf8Bytes(
            new DataStoreContents(CurrentVersion, peers, cidrs),
            DataStoreJsonContext.Default.DataStoreContents);
        AtomicFile.Write(FilePath, json, AtomicFile.PrivateFileMode);
        ContentHash = HashOf(json);
    }

    private static string HashOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static InnernetException Corrupt(string path, string problem, Exception? inner)
    {
        string message = $"The peer cache '{path}' is corrupt ({problem}). It holds the pinned peer keys, so it is not " +
            "silently discarded: inspect it, then move it away to rebuild it from the server.";
        return inner is null ? new InnernetException(message) : new InnernetException(message, inner);
    }
}
