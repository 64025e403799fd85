using Innernet.Core.Keys;
using Innernet.Core.Peers;

namespace Innernet.Core.Tests.Peers;

public sealed class PeerInvitationTests
{
    [Fact]
    public void Contents_IsAnUnredeemedPeerWithKeepalive25AndTheExpiry()
    {
        var key = KeyPair.Generate().Public;
        var expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var contents = PeerInvitation.Contents("frank", IPAddress.Parse("10.42.1.9"), 3, key, isAdmin: true, expires);

        Assert.Equal("frank", contents.Name);
        Assert.Equal(IPAddress.Parse("10.42.1.9"), contents.Ip);
        Assert.Equal(3, contents.CidrId);
        Assert.Equal(key, contents.PublicKey);
        Assert.Equal((ushort)25, contents.PersistentKeepaliveInterval);
        Assert.True(contents.IsAdmin);
        Assert.False(contents.IsRedeemed);
        Assert.False(contents.IsDisabled);
        Assert.Null(contents.Endpoint);
        Assert.Empty(contents.Candidates);
        Assert.Equal(expires, contents.InviteExpires);
    }
}
