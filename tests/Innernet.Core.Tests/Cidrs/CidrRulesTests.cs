using Innernet.Core.Cidrs;
using Innernet.Core.Model;

namespace Innernet.Core.Tests.Cidrs;

public sealed class CidrRulesTests
{
    [Theory]
    [InlineData("servers", "10.42.3.0/24", 1L)]
    [InlineData("bots", "10.42.2.0/25", 4L)]
    [InlineData("single", "10.42.2.7/32", 4L)]
    [InlineData("wide", "10.42.128.0/17", 1L)]
    public void ValidateCreate_CorrectPlace_Accepts(string name, string cidr, long parent)
        => CidrRules.ValidateCreate(Fixtures.Cidrs, Fixtures.Peers, new CidrContents(name, IPNetwork.Parse(cidr), parent));

    [Fact]
    public void ValidateCreate_FirstRootWithoutParent_Accepts()
        => CidrRules.ValidateCreate([], [], new CidrContents("evilcorp", IPNetwork.Parse("10.42.0.0/16"), null));

    [Theory]
    [InlineData("Servers", "10.42.3.0/24", 1L, "'S'")]
    [InlineData("humans", "10.42.3.0/24", 1L, "named 'humans' already exists")]
    [InlineData("other", "10.42.1.0/24", 1L, "10.42.1.0/24 already exists (named 'humans')")]
    [InlineData("other", "10.42.3.0/24", null, "needs a parent")]
    [InlineData("other", "10.42.3.0/24", 99L, "Parent CIDR 99 of 'other' does not exist")]
    [InlineData("other", "10.42.1.0/25", 3L, "1 peer(s) attached directly")]
    [InlineData("other", "10.43.0.0/24", 1L, "outside the network's root CIDR")]
    [InlineData("other", "10.42.0.0/15", 1L, "outside the network's root CIDR")]
    [InlineData("other", "fd00::/64", 1L, "outside the network's root CIDR")]
    [InlineData("other", "10.42.5.0/24", 4L, "not inside its parent robots (10.42.2.0/24)")]
    [InlineData("other", "10.42.2.0/25", 1L, "belongs under robots (10.42.2.0/24)")]
    [InlineData("other", "10.42.0.0/20", 1L, "overlaps its sibling")]
    public void ValidateCreate_BrokenRule_ExplainsWhich(string name, string cidr, long? parent, string expected)
    {
        var e = Assert.Throws<ValidationException>(
            () => CidrRules.ValidateCreate(Fixtures.Cidrs, Fixtures.Peers, new CidrContents(name, IPNetwork.Parse(cidr), parent)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateDelete_UnusedLeaf_Accepts()
        => CidrRules.ValidateDelete(Fixtures.Cidrs, Fixtures.Peers, [], Fixtures.Robots.Id);

    [Fact]
    public void ValidateDelete_Missing_ThrowsNotFound()
        => Assert.Throws<NotFoundException>(() => CidrRules.ValidateDelete(Fixtures.Cidrs, Fixtures.Peers, [], 99));

    [Theory]
    [InlineData(1L, "root")]
    [InlineData(2L, "innernet server")]
    [InlineData(3L, "still has 1 peer(s) (laptop)")]
    [InlineData(4L, "used by 1 association(s)")]
    [InlineData(5L, "child CIDR(s) (leaf)")]
    public void ValidateDelete_Referenced_ExplainsWhat(long id, string expected)
    {
        Cidr mid = new(5, "mid", IPNetwork.Parse("10.42.8.0/22"), 1);
        Cidr leaf = new(6, "leaf", IPNetwork.Parse("10.42.8.0/24"), 5);
        var disabledLaptop = Fixtures.Laptop with { IsDisabled = true };
        var e = Assert.Throws<ValidationException>(() => CidrRules.ValidateDelete(
            [.. Fixtures.Cidrs, mid, leaf],
            [Fixtures.Server, disabledLaptop],
            [new Association(1, 4, 3)],
            id));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateCreate_RandomSequences_KeepTreeProperlyNested()
    {
        var random = new Random(4242);
        for (int round = 0; round < 200; round++)
        {
            var cidrs = new List<Cidr> { new(1, "root", IPNetwork.Parse("10.0.0.0/16"), null) };
            for (int attempt = 0; attempt < 60; attempt++)
            {
                int prefix = random.Next(14, 33);
                var address = new IPAddress([10, 0, (byte)random.Next(0, 4), (byte)random.Next(0, 256)]);
                var network = new IPNetwork(Mask(address, prefix), prefix);
                long parent = cidrs[random.Next(cidrs.Count)].Id;
                var candidate = new CidrContents($"c{attempt}", network, parent);
                try
                {
                    CidrRules.ValidateCreate(cidrs, [], candidate);
                    cidrs.Add(candidate.WithId(cidrs.Count + 1));
                }
                catch (ValidationException)
                {
                }
            }

            AssertProperlyNested(cidrs);
        }
    }

    private static void AssertProperlyNested(List<Cidr> cidrs)
    {
        var tree = new CidrTree(cidrs);
        foreach (var cidr in cidrs.Where(c => c.Parent is not null))
        {
            var parent = tree.Get(cidr.Parent!.Value);
            Assert.True(parent.Network.Contains(cidr.Network.BaseAddress) && parent.Network.PrefixLength < cidr.Network.PrefixLength);
        }

        foreach (var a in cidrs)
        {
            foreach (var b in cidrs.Where(b => b.Id > a.Id))
            {
                bool overlap = a.Network.Contains(b.Network.BaseAddress) || b.Network.Contains(a.Network.BaseAddress);
                if (overlap)
                {
                    bool related = tree.GetAncestors(a.Id).Contains(b) || tree.GetAncestors(b.Id).Contains(a);
                    Assert.True(related, $"{a} and {b} overlap but neither is an ancestor of the other");
                }
            }
        }
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        uint value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
        uint mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value & mask);
        return new IPAddress(bytes);
    }
}
