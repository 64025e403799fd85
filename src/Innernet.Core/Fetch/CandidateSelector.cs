using Innernet.Core.Model;

namespace Innernet.Core.Fetch;

/// <summary>Chooses the NAT candidates this client reports to the server.</summary>
public static class CandidateSelector
{
    /// <summary>
    /// The local addresses not excluded by <paramref name="options"/> (none with <see cref="NatOptions.NoCandidates"/>),
    /// in order, each with <paramref name="listenPort"/>, at most <see cref="NetworkDefaults.MaxCandidates"/>.
    /// </summary>
    public static IReadOnlyList<Endpoint> Select(IEnumerable<IPAddress> localAddresses, NatOptions options, ushort listenPort)
    {
        ArgumentNullException.ThrowIfNull(localAddresses);
        ArgumentNullException.ThrowIfNull(options);
        if (options.NoCandidates)
        {
            return [];
        }

        return [.. localAddresses
            .Where(a => !options.ExcludeCandidates.Any(n => n.BaseAddress.AddressFamily == a.AddressFamily && n.Contains(a)))
            .Distinct()
            .Take(NetworkDefaults.MaxCandidates)
            .Select(a => Endpoint.FromAddress(a, listenPort))];
    }
}
