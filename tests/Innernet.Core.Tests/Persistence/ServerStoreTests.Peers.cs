using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

public abstract partial class ServerStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void AddPeer_Valid_GetsNextIdAndIsFoundByIdIpAndName()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var contents = NewPeer("laptop", "10.42.1.1", humans.Id, key: Key(1), candidates: Endpoints(2));

        var laptop = store.AddPeer(contents);

        Assert.Equal(contents.WithId(2), laptop);
        Assert.Equal(laptop, store.GetPeer(2));
        Assert.Equal(laptop, store.GetPeerByIp(IPAddress.Parse("10.42.1.1")));
        Assert.Equal(laptop, store.GetPeerByName("laptop"));
        Assert.Null(store.GetPeerByName("Laptop"));
        Assert.Null(store.GetPeerByIp(IPAddress.Parse("10.42.1.2")));
        Assert.Equal([1L, 2L], store.ListPeers().Select(p => p.Id));
    }

    [Theory]
    [InlineData("laptop", "10.42.1.2", 3, "peer named 'laptop' already exists")]
    [InlineData("innernet-server", "10.42.1.2", 3, "peer named 'innernet-server' already exists")]
    [InlineData("phone", "10.42.1.1", 3, "IP 10.42.1.1 is already used by peer 'laptop'")]
    [InlineData("phone", "10.42.1.2", 1, "public key of 'phone' is already used by peer 'laptop'")]
    [InlineData("phone", "10.42.1.2", 0, "public key of 'phone' is already used by peer 'innernet-server'")]
    [InlineData("Phone", "10.42.1.2", 3, "peer name 'Phone'")]
    [InlineData("phone", "10.42.2.1", 3, "not inside its CIDR")]
    [InlineData("phone", "10.42.1.0", 3, "cannot be assigned")]
    [InlineData("phone", "10.42.1.255", 3, "cannot be assigned")]
    public void AddPeer_BrokenRule_ThrowsValidationNamingTheField(string name, string ip, int keyNumber, string expected)
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, key: Key(1)));
        var key = keyNumber == 0 ? ServerKey : Key(keyNumber);

        var e = Assert.Throws<ValidationException>(() => store.AddPeer(NewPeer(name, ip, humans.Id, key: key)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(2, store.ListPeers().Count);
        Assert.Equal(3, store.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id, key: Key(3))).Id); // a refused insert uses no id
    }

    [Fact]
    public void AddPeer_UnknownCidr_ThrowsValidation()
    {
        using var store = NewStore();
        var e = Assert.Throws<ValidationException>(() => store.AddPeer(NewPeer("laptop", "10.42.1.1", 9)));
        Assert.Contains("CIDR 9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPeer_ZeroKey_ThrowsValidation()
    {
        using var store = NewStore();
        var contents = NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, key: WireGuardKey.Zero);
        var e = Assert.Throws<ValidationException>(() => store.AddPeer(contents));
        Assert.Contains("public_key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPeer_ElevenCandidates_ThrowsValidation()
    {
        using var store = NewStore();
        var e = Assert.Throws<ValidationException>(
            () => store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, candidates: Endpoints(11))));
        Assert.Contains("candidates: 11 endpoints given; at most 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPeer_InviteExpiresWithFraction_IsKeptInWholeSeconds()
    {
        using var store = NewStore();
        var expires = new DateTimeOffset(2027, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2));

        var peer = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, isRedeemed: false, inviteExpires: expires));

        var expected = new DateTimeOffset(2027, 1, 2, 1, 4, 5, TimeSpan.Zero);
        Assert.Equal(expected, peer.InviteExpires);
        Assert.Equal(TimeSpan.Zero, peer.InviteExpires!.Value.Offset);
        Assert.Equal(expected, store.GetPeer(peer.Id)!.InviteExpires);
    }

    [Fact]
    public void AddPeer_CallerChangesItsCandidateListAfterwards_StoredPeerUnchanged()
    {
        using var store = NewStore();
        var candidates = new List<Endpoint> { Endpoint.Parse("192.0.2.1:1") };

        var peer = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, candidates: candidates));
        candidates.Add(Endpoint.Parse("192.0.2.2:2"));

        Assert.Single(peer.Candidates);
        Assert.Single(store.GetPeer(peer.Id)!.Candidates);
    }

    [Fact]
    public void FindFreeIp_SkipsUsedAndDisabledPeersIps()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var first = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        store.SetDisabled(first.Id, true);
        store.AddPeer(NewPeer("phone", "10.42.1.3", humans.Id));

        Assert.Equal(IPAddress.Parse("10.42.1.2"), store.FindFreeIp(humans.Id));
        Assert.Throws<NotFoundException>(() => store.FindFreeIp(99));
    }

    [Fact]
    public void UpdatePeer_FullContents_ChangesOnlyTheMutableFields()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        AddRobots(store);
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, key: Key(1), isRedeemed: false, inviteExpires: Now));
        var body = new PeerContents
        {
            Name = "notebook",
            Ip = IPAddress.Parse("10.42.2.9"),
            CidrId = 4,
            PublicKey = Key(2),
            Endpoint = Endpoint.Parse("203.0.113.7:51820"),
            PersistentKeepaliveInterval = 10,
            IsAdmin = true,
            IsDisabled = true,
            IsRedeemed = true,
            InviteExpires = null,
            Candidates = Endpoints(3),
        };

        var updated = store.UpdatePeer(laptop.Id, PeerUpdate.From(body));

        var expected = laptop with
        {
            Name = "notebook",
            Endpoint = Endpoint.Parse("203.0.113.7:51820"),
            IsAdmin = true,
            IsDisabled = true,
            Candidates = Endpoints(3),
        };
        Assert.Equal(expected, updated);
        Assert.Equal(expected, store.GetPeer(laptop.Id));
        Assert.Null(store.GetPeerByName("laptop"));
        Assert.Equal(expected, store.GetPeerByName("notebook"));
    }

    [Theory]
    [InlineData("Notebook", "peer name 'Notebook'")]
    [InlineData("note--book", "consecutive dashes")]
    [InlineData("innernet-server", "peer named 'innernet-server' already exists")]
    public void UpdatePeer_BadOrTakenName_ThrowsValidation(string name, string expected)
    {
        using var store = NewStore();
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id));

        var e = Assert.Throws<ValidationException>(() => store.UpdatePeer(laptop.Id, PeerUpdate.From(laptop) with { Name = name }));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(laptop, store.GetPeer(laptop.Id));
    }

    [Fact]
    public void UpdatePeer_UnknownId_ThrowsNotFound()
    {
        using var store = NewStore();
        Assert.Throws<NotFoundException>(() => store.UpdatePeer(42, new PeerUpdate { Name = "ghost" }));
    }

    [Fact]
    public void SetDisabled_TogglesOnlyTheFlag()
    {
        using var store = NewStore();
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id));

        store.SetDisabled(laptop.Id, true);
        Assert.Equal(laptop with { IsDisabled = true }, store.GetPeer(laptop.Id));

        store.SetDisabled(laptop.Id, false);
        Assert.Equal(laptop, store.GetPeer(laptop.Id));
        Assert.Throws<NotFoundException>(() => store.SetDisabled(42, true));
    }

    [Fact]
    public void SetEndpoint_SetThenUnset_IsStored()
    {
        using var store = NewStore();
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id));
        var endpoint = Endpoint.Parse("laptop.example.com:51820");

        store.SetEndpoint(laptop.Id, endpoint);
        Assert.Equal(endpoint, store.GetPeer(laptop.Id)!.Endpoint);

        store.SetEndpoint(laptop.Id, null);
        Assert.Null(store.GetPeer(laptop.Id)!.Endpoint);
    }

    [Fact]
    public void SetCandidates_UpToTen_ReplacesTheList()
    {
        using var store = NewStore();
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, candidates: Endpoints(1)));

        store.SetCandidates(laptop.Id, Endpoints(10));

        Assert.Equal(Endpoints(10), store.GetPeer(laptop.Id)!.Candidates);
    }

    [Fact]
    public void SetCandidates_Eleven_ThrowsValidationAndKeepsTheOldList()
    {
        using var store = NewStore();
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, candidates: Endpoints(1)));

        Assert.Throws<ValidationException>(() => store.SetCandidates(laptop.Id, Endpoints(11)));

        Assert.Equal(Endpoints(1), store.GetPeer(laptop.Id)!.Candidates);
    }

    [Fact]
    public void SetServerEndpoint_ChangesPeerOne()
    {
        using var store = NewStore();
        var endpoint = Endpoint.Parse("[2001:db8::1]:51820");

        store.SetServerEndpoint(endpoint);

        Assert.Equal(endpoint, store.GetPeer(Peer.ServerId)!.Endpoint);
    }

    [Fact]
    public void Redeem_ValidInvitation_SwapsKeyOnceAndReturnsTheOldKey()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, key: Key(1), isRedeemed: false, inviteExpires: Now));

        var change = store.Redeem(invite.Id, Key(2), Now.AddSeconds(-1));

        Assert.Equal(invite, change.Before);
        Assert.Equal(invite with { PublicKey = Key(2), IsRedeemed = true }, change.After);
        Assert.Equal(change.After, store.GetPeer(invite.Id));
        Assert.Throws<GoneException>(() => store.Redeem(invite.Id, Key(3), Now.AddSeconds(-1)));
        Assert.Equal(change.After, store.GetPeer(invite.Id));
    }

    [Fact]
    public void Redeem_RepeatedWithTheSameKey_ReturnsTheStoredPeer_WithoutAChange()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, key: Key(1), isRedeemed: false, inviteExpires: Now));
        var redeemed = store.Redeem(invite.Id, Key(2), Now.AddSeconds(-1)).After;

        // Also after the invitation's expiry: the key was registered in time, only the answer was lost.
        var repeat = store.Redeem(invite.Id, Key(2), Now.AddHours(1));

        Assert.Equal(redeemed, repeat.Before);
        Assert.Equal(redeemed, repeat.After);
        Assert.True(repeat.Before.IsRedeemed);
        Assert.Equal(redeemed, store.GetPeer(invite.Id));
        Assert.Throws<GoneException>(() => store.Redeem(invite.Id, Key(3), Now));
    }

    [Fact]
    public void Redeem_WithoutExpiry_Succeeds()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, isRedeemed: false));

        Assert.True(store.Redeem(invite.Id, Key(2), Now).After.IsRedeemed);
    }

    [Fact]
    public void Redeem_AtTheExpirySecond_SucceedsButOneSecondLater_IsUnauthorized()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var onTime = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, isRedeemed: false, inviteExpires: Now));
        var late = store.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id, isRedeemed: false, inviteExpires: Now));

        store.Redeem(onTime.Id, Key(2), Now);
        var e = Assert.Throws<UnauthorizedException>(() => store.Redeem(late.Id, Key(3), Now.AddSeconds(1)));

        Assert.Contains("expired", e.Message, StringComparison.Ordinal);
        Assert.False(store.GetPeer(late.Id)!.IsRedeemed);
    }

    [Fact]
    public void Redeem_DisabledPeer_IsUnauthorized()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, isRedeemed: false, isDisabled: true));

        var e = Assert.Throws<UnauthorizedException>(() => store.Redeem(invite.Id, Key(2), Now));

        Assert.Contains("disabled", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redeem_KeyOfAnotherPeer_ThrowsValidation()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, isRedeemed: false));

        var e = Assert.Throws<ValidationException>(() => store.Redeem(invite.Id, ServerKey, Now));

        Assert.Contains("public_key", e.Message, StringComparison.Ordinal);
        Assert.False(store.GetPeer(invite.Id)!.IsRedeemed);
    }

    [Fact]
    public void Redeem_ZeroKey_ThrowsValidation()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, isRedeemed: false));
        Assert.Throws<ValidationException>(() => store.Redeem(invite.Id, default, Now));
    }

    [Fact]
    public void Redeem_UnknownPeer_ThrowsNotFound()
    {
        using var store = NewStore();
        Assert.Throws<NotFoundException>(() => store.Redeem(42, Key(2), Now));
    }

    [Fact]
    public void DeleteExpiredInvitations_DeletesOnlyUnredeemedPeersExpiredBeforeNow()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var expired = store.AddPeer(NewPeer("expired", "10.42.1.1", humans.Id, isRedeemed: false, inviteExpires: Now.AddSeconds(-1)));
        var expiredDisabled = store.AddPeer(
            NewPeer("expired-disabled", "10.42.1.2", humans.Id, isRedeemed: false, isDisabled: true, inviteExpires: Now.AddDays(-3)));
        var expiresNow = store.AddPeer(NewPeer("expires-now", "10.42.1.3", humans.Id, isRedeemed: false, inviteExpires: Now));
        var future = store.AddPeer(NewPeer("future", "10.42.1.4", humans.Id, isRedeemed: false, inviteExpires: Now.AddDays(1)));
        var noExpiry = store.AddPeer(NewPeer("no-expiry", "10.42.1.5", humans.Id, isRedeemed: false));
        var redeemed = store.AddPeer(NewPeer("redeemed", "10.42.1.6", humans.Id, isRedeemed: true, inviteExpires: Now.AddDays(-1)));

        var deleted = store.DeleteExpiredInvitations(Now);

        Assert.Equal([expired, expiredDisabled], deleted);
        Assert.Equal([1L, expiresNow.Id, future.Id, noExpiry.Id, redeemed.Id], store.ListPeers().Select(p => p.Id));
        Assert.Empty(store.DeleteExpiredInvitations(Now));
    }

    [Fact]
    public void DeleteExpiredInvitations_FreesNameAndIpButNotTheId()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var expired = store.AddPeer(
            NewPeer("laptop", "10.42.1.1", humans.Id, key: Key(1), isRedeemed: false, inviteExpires: Now.AddSeconds(-1)));
        store.DeleteExpiredInvitations(Now);

        var again = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, key: Key(1)));

        Assert.Equal(expired.Id + 1, again.Id);
        Assert.Null(store.GetPeer(expired.Id));
        Assert.Equal(again, store.GetPeerByName("laptop"));
    }

    [Fact]
    public void ReissueInvitation_Unredeemed_ReplacesKeyAndExpiry()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, key: Key(1), isRedeemed: false, inviteExpires: Now));

        var change = store.ReissueInvitation(invite.Id, Key(2), Now.AddDays(7).AddMilliseconds(500));

        Assert.Equal(invite, change.Before);
        Assert.Equal(invite with { PublicKey = Key(2), InviteExpires = Now.AddDays(7) }, change.After);
        Assert.Equal(change.After, store.GetPeer(invite.Id));
        Assert.Null(store.ListPeers().FirstOrDefault(p => p.PublicKey == Key(1)));
    }

    [Fact]
    public void ReissueInvitation_RedeemedPeer_ThrowsValidation()
    {
        using var store = NewStore();
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, isRedeemed: true));

        var e = Assert.Throws<ValidationException>(() => store.ReissueInvitation(laptop.Id, Key(2), Now));

        Assert.Contains("already redeemed", e.Message, StringComparison.Ordinal);
        Assert.Throws<NotFoundException>(() => store.ReissueInvitation(42, Key(3), Now));
    }

    [Fact]
    public void ReissueInvitation_KeyOfAnotherPeer_ThrowsValidation()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, isRedeemed: false));
        Assert.Throws<ValidationException>(() => store.ReissueInvitation(invite.Id, ServerKey, Now));
    }
}
