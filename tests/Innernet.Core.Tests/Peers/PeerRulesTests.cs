using Innernet.Core.Model;
using Innernet.Core.Peers;

namespace Innernet.Core.Tests.Peers;

public sealed class PeerRulesTests
{
    [Fact]
    public void ValidateCreate_GoodPeer_Accepts()
        => PeerRules.ValidateCreate(Fixtures.Cidrs, Fixtures.Peers, Candidate());

    [Fact]
    public void ValidateCreate_NonLeafCidr_IsNotChecked()
        => PeerRules.ValidateCreate(Fixtures.Cidrs, Fixtures.Peers, Candidate() with { CidrId = 1, Ip = IPAddress.Parse("10.42.7.7") });

    [Theory]
    [InlineData("Phone", "10.42.1.2", 3L, 50, "'P'")]
    [InlineData("phone", "10.42.1.2", 99L, 50, "CIDR 99 of peer 'phone' does not exist")]
    [InlineData("phone", "10.42.2.2", 3L, 50, "not inside its CIDR humans")]
    [InlineData("phone", "fd00::2", 3L, 50, "not inside its CIDR")]
    [InlineData("phone", "10.42.1.0", 3L, 50, "cannot be assigned")]
    [InlineData("phone", "10.42.1.255", 3L, 50, "cannot be assigned")]
    [InlineData("laptop", "10.42.1.2", 3L, 50, "named 'laptop' already exists")]
    [InlineData("phone", "10.42.1.1", 3L, 50, "already used by peer 'laptop'")]
    [InlineData("phone", "10.42.1.2", 3L, 2, "public key of 'phone' is already used by peer 'laptop'")]
    public void ValidateCreate_BrokenRule_ExplainsWhich(string name, string ip, long cidrId, int key, string expected)
    {
        var candidate = Candidate() with { Name = name, Ip = IPAddress.Parse(ip), CidrId = cidrId, PublicKey = TestKeys.Numbered(key) };
        var e = Assert.Throws<ValidationException>(() => PeerRules.ValidateCreate(Fixtures.Cidrs, Fixtures.Peers, candidate));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateCreate_DisabledPeerStillHoldsIp()
    {
        var peers = new[] { Fixtures.Server, Fixtures.Laptop with { IsDisabled = true } };
        Assert.Throws<ValidationException>(() =>
            PeerRules.ValidateCreate(Fixtures.Cidrs, peers, Candidate() with { Ip = IPAddress.Parse("10.42.1.1") }));
    }

    [Fact]
    public void ValidateRename_TakenOrInvalid_Throws()
    {
        PeerRules.ValidateRename(Fixtures.Peers, 2, "laptop");
        PeerRules.ValidateRename(Fixtures.Peers, 2, "new-name");
        Assert.Throws<ValidationException>(() => PeerRules.ValidateRename(Fixtures.Peers, 2, "innernet-server"));
        Assert.Throws<ValidationException>(() => PeerRules.ValidateRename(Fixtures.Peers, 2, "-x"));
    }

    private static PeerContents Candidate() => new()
    {
        Name = "phone",
        Ip = IPAddress.Parse("10.42.1.2"),
        CidrId = 3,
        PublicKey = TestKeys.Numbered(50),
        IsRedeemed = false,
        InviteExpires = DateTimeOffset.UnixEpoch.AddDays(20000),
    };
}
