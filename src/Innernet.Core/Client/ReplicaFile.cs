using System.Text;
using Innernet.Core.Api;
using Innernet.Core.IO;
using Innernet.Core.Model;

namespace Innernet.Core.Client;

/// <summary>
/// <c>&lt;data-dir&gt;/&lt;iface&gt;.replicas</c>: the server replicas' external endpoints the server announced last
/// (<see cref="ReplicaAnnouncement"/>), one <c>host:port</c> a line, the one this client reached the server through
/// last first. A file of this client only; innernet neither reads nor writes it. It is untrusted input: a file that is
/// too large, holds more than <see cref="ReplicaAnnouncement.MaxCount"/> lines or a line that is not a
/// <c>host:port</c> reads as no file (the config's endpoint is then the only one). Written atomically, mode 0600.
/// </summary>
public static class ReplicaFile
{
    private const int MaxBytes = 8192;

    /// <summary>The endpoints in the file, the last one that worked first; empty when it is missing or malformed.</summary>
    public static IReadOnlyList<Endpoint> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxBytes)
            {
                return [];
            }

            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return Parse(text);
    }

    /// <summary>The endpoints in a file's text; empty when it is malformed (see the class).</summary>
    internal static IReadOnlyList<Endpoint> Parse(string text)
    {
        if (text.Length > MaxBytes || !text.EndsWith('\n'))
        {
            return [];
        }

        var endpoints = new List<Endpoint>();
        foreach (string line in text[..^1].Split('\n'))
        {
            if (endpoints.Count == ReplicaAnnouncement.MaxCount
                || !Endpoint.TryParse(line, out var endpoint) || endpoint.IsUnspecified || endpoints.Contains(endpoint))
            {
                return [];
            }

            endpoints.Add(endpoint);
        }

        return endpoints;
    }

    /// <summary>
    /// Stores <paramref name="endpoints"/> (distinct, at most <see cref="ReplicaAnnouncement.MaxCount"/>); none deletes the file.
    /// </summary>
    public static void Write(string path, IEnumerable<Endpoint> endpoints)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(endpoints);
        var distinct = endpoints.Distinct().Take(ReplicaAnnouncement.MaxCount).ToList();
        if (distinct.Count == 0)
        {
            File.Delete(path);
            return;
        }

        AtomicFile.Write(path, Encoding.ASCII.GetBytes(Format(distinct)));
    }

    /// <summary>The file's text for <paramref name="endpoints"/>: one a line, each line ended by <c>\n</c>.</summary>
    internal static string Format(IEnumerable<Endpoint> endpoints)
    {
        var text = new StringBuilder();
        foreach (var endpoint in endpoints)
        {
            text.Append(endpoint.ToString()).Append('\n');
        }

        return text.ToString();
    }
}
