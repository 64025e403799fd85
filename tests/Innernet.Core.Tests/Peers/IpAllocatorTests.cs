using System.Numerics;
using Innernet.Core.Model;
using Innernet.Core.Peers;

namespace Innernet.Core.Tests.Peers;

public sealed class IpAllocatorTests
{
    [Theory]
    [InlineData("10.42.1.0/24", new string[0], "10.42.1.1")]
    [InlineData("10.42.1.0/24", new[] { "10.42.1.1", "10.42.1.2" }, "10.42.1.3")]
    [InlineData("10.42.1.0/24", new[] { "10.42.1.2", "10.42.1.3" }, "10.42.1.1")]
    [InlineData("10.42.1.0/24", new[] { "10.42.1.1", "10.42.1.3", "10.42.1.1" }, "10.42.1.2")]
    [InlineData("10.42.1.0/24", new[] { "10.42.2.1", "fd00::1", "10.42.1.0" }, "10.42.1.1")]
    [InlineData("10.42.1.0/31", new string[0], "10.42.1.0")]
    [InlineData("10.42.1.0/31", new[] { "10.42.1.0" }, "10.42.1.1")]
    [InlineData("10.42.1.9/32", new string[0], "10.42.1.9")]
    [InlineData("fd00::/64", new string[0], "fd00::1")]
    [InlineData("fd00::/64", new[] { "fd00::1" }, "fd00::2")]
    [InlineData("fd00::/127", new string[0], "fd00::")]
    [InlineData("fd00::4/126", new[] { "fd00::5", "fd00::6" }, "fd00::7")]
    public void FirstFree_ReturnsLowestAssignableUnused(string cidr, string[] used, string expected)
        => Assert.Equal(IPAddress.Parse(expected), IpAllocator.FirstFree(Cidr(cidr), used.Select(IPAddress.Parse)));

    [Theory]
    [InlineData("10.42.1.0/30", new[] { "10.42.1.1", "10.42.1.2" })]
    [InlineData("10.42.1.9/32", new[] { "10.42.1.9" })]
    [InlineData("fd00::4/126", new[] { "fd00::5", "fd00::6", "fd00::7" })]
    [InlineData("fd00::/128", new[] { "fd00::" })]
    public void FirstFree_Full_ThrowsNamingCidr(string cidr, string[] used)
    {
        var e = Assert.Throws<ValidationException>(() => IpAllocator.FirstFree(Cidr(cidr), used.Select(IPAddress.Parse)));
        Assert.Contains($"CIDR leaf ({cidr}) is full", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FirstFree_HugeIpv6WithManyUsed_SkipsPastTheUsedRun()
    {
        var cidr = Cidr("fd00:1234::/32");
        var used = Enumerable.Range(1, 100_000).Select(i => IPAddress.Parse($"fd00:1234::{i / 65536:x}:{i % 65536:x}")).ToList();

        // Cost depends on the used addresses only, never on the 2^96 addresses of the CIDR.
        Assert.Equal(IPAddress.Parse("fd00:1234::1:86a1"), IpAllocator.FirstFree(cidr, used));
    }

    [Fact]
    public void FirstFree_RandomSmallCidrs_MatchesBruteForce()
    {
        var random = new Random(777);
        for (int round = 0; round < 2000; round++)
        {
            bool v6 = random.Next(2) == 0;
            int hostBits = random.Next(0, 6);
            int prefix = (v6 ? 128 : 32) - hostBits;
            var baseAddress = v6 ? IPAddress.Parse("fd00::") : IPAddress.Parse("10.9.8.0");
            var network = new IPNetwork(baseAddress, prefix);
            var all = Enumerable.Range(0, 1 << hostBits).Select(i => Add(baseAddress, i)).ToList();
            var used = all.Where(_ => random.Next(3) == 0).ToList();

            // Reference, straight from the spec: walk the CIDR in order, skip non-assignable and used addresses.
            var expected = all.FirstOrDefault(ip => IsAssignableBySpec(ip, prefix, hostBits, v6, all) && !used.Contains(ip));

            var cidr = new Cidr(3, "leaf", network, 1);
            if (expected is null)
            {
                Assert.Throws<ValidationException>(() => IpAllocator.FirstFree(cidr, used));
            }
            else
            {
                Assert.Equal(expected, IpAllocator.FirstFree(cidr, used));
            }
        }
    }

    private static bool IsAssignableBySpec(IPAddress ip, int prefix, int hostBits, bool v6, List<IPAddress> all)
    {
        if (v6)
        {
            return prefix >= 127 || !ip.Equals(all[0]);
        }

        return prefix >= 31 || (!ip.Equals(all[0]) && !ip.Equals(all[(1 << hostBits) - 1]));
    }

    private static IPAddress Add(IPAddress address, int offset)
    {
        byte[] bytes = address.GetAddressBytes();
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true) + offset;
        byte[] raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] result = new byte[bytes.Length];
        raw.CopyTo(result, result.Length - raw.Length);
        return new IPAddress(result);
    }

    private static Cidr Cidr(string network) => new(3, "leaf", IPNetwork.Parse(network), 1);
}
