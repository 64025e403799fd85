using System.Net.Sockets;

namespace Innernet.Core.Model;

/// <summary>Rust's <c>IpAddr</c> order (all IPv4 before IPv6, then by bytes): the order of innernet's BTreeMaps.</summary>
public sealed class IPAddressOrder : IComparer<IPAddress>
{
    private IPAddressOrder()
    {
    }

    /// <summary>The comparer.</summary>
    public static IPAddressOrder Instance { get; } = new();

    /// <inheritdoc/>
    public int Compare(IPAddress? x, IPAddress? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        int family = Rank(x).CompareTo(Rank(y));
        if (family != 0)
        {
            return family;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        x.TryWriteBytes(a, out int lengthA);
        y.TryWriteBytes(b, out int lengthB);
        return a[..lengthA].SequenceCompareTo(b[..lengthB]);
    }

    private static int Rank(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? 0 : 1;
}
