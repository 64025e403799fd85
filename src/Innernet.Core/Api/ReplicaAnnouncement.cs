using Innernet.Core.Model;

namespace Innernet.Core.Api;

/// <summary>
/// The <c>X-Innernet-Replicas</c> header, an extension of this server: the external endpoints of the replicas that are
/// alive now, comma-separated <c>host:port</c>, on the answers to <c>GET /v1/user/state</c> (200 and 304) and
/// <c>GET /v1/user/state/stream</c>. innernet 1.7 clients ignore headers they do not know. The client treats it as
/// untrusted input: an entry that is not a <c>host:port</c> is dropped, and at most <see cref="MaxCount"/> are kept.
/// </summary>
public static class ReplicaAnnouncement
{
    /// <summary>The header's name.</summary>
    public const string HeaderName = "X-Innernet-Replicas";

    /// <summary>The most endpoints a client keeps (and a server announces).</summary>
    public const int MaxCount = 16;

    /// <summary>
    /// The longest header value read; a longer one is ignored whole. Room for <see cref="MaxCount"/> endpoints with DNS names
    /// of the longest length, so whatever a server formats is read back.
    /// </summary>
    public const int MaxLength = 8192;

    /// <summary>The header value for <paramref name="endpoints"/>: distinct, in the given order, at most <see cref="MaxCount"/>.</summary>
    public static string Format(IEnumerable<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return string.Join(", ", endpoints.Distinct().Take(MaxCount).Select(e => e.ToString()));
    }

    /// <summary>
    /// The endpoints in a header value: each well-formed entry once, in order, at most <see cref="MaxCount"/>; empty for
    /// null, an over-long value or one with no valid entry.
    /// </summary>
    public static IReadOnlyList<Endpoint> Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength)
        {
            return [];
        }

        var endpoints = new List<Endpoint>();
        foreach (string entry in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (Endpoint.TryParse(entry, out var endpoint) && !endpoint.IsUnspecified && !endpoints.Contains(endpoint))
            {
                endpoints.Add(endpoint);
                if (endpoints.Count == MaxCount)
                {
                    break;
                }
            }
        }

        return endpoints;
    }
}
