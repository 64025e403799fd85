using System.Text;
using Innernet.Core.Model;

namespace Innernet.Core.Client;

/// <summary>
/// Maintains one tagged section of a hosts file (the peers' names), between the lines
/// <c># DO NOT EDIT innernet &lt;iface&gt; BEGIN</c> and <c># DO NOT EDIT innernet &lt;iface&gt; END</c>.
/// </summary>
public static class HostsFile
{
    private const UnixFileMode DefaultMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The name written for a peer: <c>&lt;peer&gt;.&lt;iface&gt;.wg</c> by default, <c>&lt;peer&gt;.&lt;suffix&gt;</c>, or the
    /// bare name for an empty suffix.</summary>
    public static string HostnameFor(string peerName, string interfaceName, string? hostSuffix = null)
    {
        ArgumentNullException.ThrowIfNull(peerName);
        return hostSuffix switch
        {
            null => $"{peerName}.{interfaceName}.wg",
            "" => peerName,
            _ => $"{peerName}.{hostSuffix}",
        };
    }

    /// <summary>
    /// Writes the section for <paramref name="interfaceName"/> with one line per IP (sorted, IPv4 first),
    /// listing the names of every peer with that IP. The caller chooses the peers (the client writes all
    /// of its state; the server its enabled, redeemed peers).
    /// </summary>
    /// <returns>False when the section was already up to date (the file is not touched).</returns>
    /// <exception cref="ValidationException">
    /// A peer name, the interface name or a label of the suffix is not a hostname (a space, newline or <c>#</c>
    /// would add lines or comments to the file); nothing is written.
    /// </exception>
    /// <exception cref="InnernetException">Only one of the two markers is present.</exception>
    /// <exception cref="IOException">The file cannot be read or written.</exception>
    public static bool Update(string path, string interfaceName, IEnumerable<Peer> peers, string? hostSuffix = null)
    {
        ArgumentNullException.ThrowIfNull(peers);
        Hostname.Validate(interfaceName, "interface name");
        if (!string.IsNullOrEmpty(hostSuffix))
        {
            foreach (string label in hostSuffix.Split('.'))
            {
                Hostname.Validate(label, "hosts suffix label");
            }
        }

        var entries = new SortedDictionary<IPAddress, List<string>>(IPAddressOrder.Instance);
        foreach (var peer in peers)
        {
            if (!entries.TryGetValue(peer.Ip, out var names))
            {
                entries[peer.Ip] = names = [];
            }

            Hostname.Validate(peer.Name, "peer name");
            names.Add(HostnameFor(peer.Name, interfaceName, hostSuffix));
        }

        return Write(path, interfaceName, entries.Select(e => $"{e.Key} {string.Join(' ', e.Value)}"));
    }

    private static bool Write(string path, string interfaceName, IEnumerable<string> lines)
    {
        bool exists = File.Exists(path);
        string original = exists ? File.ReadAllText(path) : "";
        string text = Merge(original, path, interfaceName, lines);
        if (exists && text == original)
        {
            return false;
        }

        Replace(path, text, exists ? File.GetUnixFileMode(path) : DefaultMode);
        return true;
    }

    /// <summary>
    /// The hosts file text with the section for <paramref name="interfaceName"/> replaced by (or, when there is
    /// none, appended as) <paramref name="lines"/> between the markers; every other line is kept.
    /// </summary>
    /// <exception cref="InnernetException">Only one of the two markers is present, or END comes first.</exception>
    internal static string Merge(string original, string path, string interfaceName, IEnumerable<string> lines)
    {
        string begin = $"# DO NOT EDIT innernet {interfaceName} BEGIN";
        string end = $"# DO NOT EDIT innernet {interfaceName} END";
        var existing = original.Split('\n').ToList();
        if (existing.Count > 0 && existing[^1].Length == 0)
        {
            existing.RemoveAt(existing.Count - 1);
        }

        int beginAt = existing.FindIndex(l => l.TrimEnd('\r').Trim() == begin);
        int endAt = existing.FindIndex(l => l.TrimEnd('\r').Trim() == end);
        var section = new List<string> { begin };
        section.AddRange(lines);
        section.Add(end);

        List<string> updated;
        if (beginAt >= 0 && endAt > beginAt)
        {
            updated = [.. existing[..beginAt], .. section, .. existing[(endAt + 1)..]];
        }
        else if (beginAt < 0 && endAt < 0)
        {
            updated = [.. existing];
            if (updated.Count > 0 && updated[^1].Trim().Length > 0)
            {
                updated.Add("");
            }

            updated.AddRange(section);
        }
        else
        {
            throw new InnernetException(
                $"'{path}' has an incomplete innernet section for '{interfaceName}' (BEGIN and END markers must both be " +
                "present, in that order); fix the file by hand.");
        }

        return string.Join('\n', updated) + "\n";
    }

    private static void Replace(string path, string text, UnixFileMode mode)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string temp = Path.Combine(directory, $"{Path.GetFileName(path)}.tmp{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.SetUnixFileMode(temp, mode);
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException)
        {
            // E.g. a bind-mounted /etc/hosts cannot be replaced by rename: overwrite it in place instead.
            File.Delete(temp);
            File.WriteAllBytes(path, bytes);
        }
    }
}
