using Innernet.Core.Model;

namespace Innernet.Core.Peers;

/// <summary>Server-side checks for creating and renaming a peer.</summary>
public static class PeerRules
{
    /// <summary>
    /// Checks that <paramref name="candidate"/> may be added: its name is a hostname, its CIDR exists, its IP
    /// is inside that CIDR and assignable, and no other peer (disabled ones included) has the same name, IP or
    /// public key.
    /// </summary>
    /// <exception cref="ValidationException">A rule is broken; the message says which and why.</exception>
    public static void ValidateCreate(IReadOnlyCollection<Cidr> cidrs, IReadOnlyCollection<Peer> peers, PeerContents candidate)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(candidate);

        Hostname.Validate(candidate.Name, "peer name");

        var cidr = cidrs.FirstOrDefault(c => c.Id == candidate.CidrId)
            ?? throw new ValidationException($"CIDR {candidate.CidrId} of peer '{candidate.Name}' does not exist.");

        if (!cidr.Network.Contains(candidate.Ip) || candidate.Ip.AddressFamily != cidr.Network.BaseAddress.AddressFamily)
        {
            throw new ValidationException($"IP {candidate.Ip} of peer '{candidate.Name}' is not inside its CIDR {cidr}.");
        }

        if (!Assignable.IsAssignable(candidate.Ip, cidr.Network))
        {
            throw new ValidationException(
                $"IP {candidate.Ip} of peer '{candidate.Name}' cannot be assigned: it is the network or broadcast address of {cidr}.");
        }

        foreach (var peer in peers)
        {
            if (peer.Name == candidate.Name)
            {
                throw new ValidationException($"A peer named '{candidate.Name}' already exists ({peer.Ip}).");
            }

            if (peer.Ip.Equals(candidate.Ip))
            {
                throw new ValidationException($"IP {candidate.Ip} is already used by peer '{peer.Name}'.");
            }

            if (peer.PublicKey == candidate.PublicKey)
            {
                throw new ValidationException($"The public key of '{candidate.Name}' is already used by peer '{peer.Name}'.");
            }
        }
    }

    /// <summary>Validates a rename: the new name is a hostname not used by another peer.</summary>
    /// <exception cref="ValidationException">The name is invalid or taken.</exception>
    public static void ValidateRename(IReadOnlyCollection<Peer> peers, long peerId, string newName)
    {
        ArgumentNullException.ThrowIfNull(peers);
        Hostname.Validate(newName, "peer name");
        if (peers.FirstOrDefault(p => p.Name == newName && p.Id != peerId) is { } other)
        {
            throw new ValidationException($"A peer named '{newName}' already exists ({other.Ip}).");
        }
    }
}
