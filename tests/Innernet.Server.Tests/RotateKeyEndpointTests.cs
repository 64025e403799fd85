using Innernet.Core.Contracts;
using Innernet.Core.Keys;
using Innernet.Server.Api.Live;

namespace Innernet.Server.Tests;

/// <summary><c>POST /v1/user/rotate-key</c>: only the peer itself, over its own address, with a step signed by its current key.</summary>
public sealed class RotateKeyEndpointTests
{
    private const string Path = "/v1/user/rotate-key";

    [Fact]
    public async Task Rotate_ValidStep_204_StateServesTheNewKeyWithItsProof_RepeatChangesNothing()
    {
        await using var server = await ApiServer.StartAsync();
        var (peer, keys) = AddDeveloper3(server);
        var client = server.ClientFrom(peer.Ip);
        var next = KeyPair.Generate();
        var step = KeyRotationProof.Create(keys.Private, server.ServerKey, peer.Ip, next.Public, 1);

        await (await client.PostJson(Path, new RotateKeyContents(step))).AssertStatusAsync(HttpStatusCode.NoContent);
        string json = await (await server.Developer1().Get("/v1/user/state")).Content
            .ReadAsStringAsync(TestContext.Current.CancellationToken);
        var seen = InnernetJson.Deserialize<State>(json).Peers.Single(p => p.Id == peer.Id);
        var again = KeyRotationProof.Create(keys.Private, server.ServerKey, peer.Ip, next.Public, 1);
        await (await client.PostJson(Path, new RotateKeyContents(again))).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(next.Public, seen.PublicKey);
        Assert.Equal([step], seen.KeyRotations);
        Assert.Contains("\"key_rotations\":[{", json, StringComparison.Ordinal);
        Assert.Equal(next.Public, server.Peer(peer.Id).PublicKey);
        var (before, after) = Assert.Single(server.PeerSync.Redeemed);
        Assert.Equal(keys.Public, before.PublicKey);
        Assert.Equal(next.Public, after.PublicKey);
        Assert.Contains("rotated its key (generation 1)", server.LogText, StringComparison.Ordinal);
        Assert.Contains("repeated its key rotation", server.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_OtherPeersStep_FromItsOwnAddress_IsRefused()
    {
        await using var server = await ApiServer.StartAsync();
        var (peer, keys) = AddDeveloper3(server);
        var step = KeyRotationProof.Create(keys.Private, server.ServerKey, peer.Ip, KeyPair.Generate().Public, 1);

        // developer1 relays developer3's valid step: the step is checked against the caller's own key, so nothing moves.
        var relayed = await server.Developer1().PostJson(Path, new RotateKeyContents(step));
        var anonymous = await server.ClientFrom(server.Network.InviteeIp).PostJson(Path, new RotateKeyContents(step));

        Assert.Equal(HttpStatusCode.BadRequest, relayed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(keys.Public, server.Peer(peer.Id).PublicKey);
        Assert.Empty(server.PeerSync.Redeemed);
    }

    [Fact]
    public async Task Rotate_UnredeemedOrDisabledCaller_IsRefused()
    {
        await using var server = await ApiServer.StartAsync();
        var invitee = server.AddInvitee();
        var (peer, keys) = AddDeveloper3(server);
        server.Store.SetDisabled(peer.Id, true);
        var step = KeyRotationProof.Create(keys.Private, server.ServerKey, peer.Ip, KeyPair.Generate().Public, 1);

        var fromInvitee = await server.ClientFrom(invitee.Ip).PostJson(Path, new RotateKeyContents(step));
        var fromDisabled = await server.ClientFrom(peer.Ip).PostJson(Path, new RotateKeyContents(step));

        await fromInvitee.AssertStatusAsync(HttpStatusCode.Unauthorized);
        await fromDisabled.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(keys.Public, server.Peer(peer.Id).PublicKey);
    }

    [Theory]
    [InlineData("other network")]
    [InlineData("other IP")]
    [InlineData("wrong generation")]
    [InlineData("forged signature")]
    [InlineData("server key")]
    [InlineData("taken key")]
    public async Task Rotate_InvalidStep_Is400AndNothingChanges(string problem)
    {
        await using var server = await ApiServer.StartAsync();
        var (peer, keys) = AddDeveloper3(server);
        var next = KeyPair.Generate().Public;
        var step = problem switch
        {
            "other network" => KeyRotationProof.Create(keys.Private, KeyPair.Generate().Public, peer.Ip, next, 1),
            "other IP" => KeyRotationProof.Create(keys.Private, server.ServerKey, server.Network.Developer1, next, 1),
            "wrong generation" => KeyRotationProof.Create(keys.Private, server.ServerKey, peer.Ip, next, 2),
            "forged signature" => KeyRotationProof.Create(KeyPair.Generate().Private, server.ServerKey, peer.Ip, next, 1)
                with { OldPublicKey = keys.Public },
            "server key" => KeyRotationProof.Create(keys.Private, server.ServerKey, peer.Ip, server.ServerKey, 1),
            _ => KeyRotationProof.Create(keys.Private, server.ServerKey, peer.Ip, server.Peer(TestNetwork.Developer1Id).PublicKey, 1),
        };

        var response = await server.ClientFrom(peer.Ip).PostJson(Path, new RotateKeyContents(step));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(peer, server.Peer(peer.Id));
        Assert.Empty(server.PeerSync.Redeemed);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"rotation":{"generation":1,"old_public_key":"AAAA","public_key":"AAAA","signature":"x"}}""")]
    [InlineData("not json")]
    public async Task Rotate_MalformedBody_Is400(string body)
    {
        await using var server = await ApiServer.StartAsync();
        var (peer, keys) = AddDeveloper3(server);

        var response = await server.ClientFrom(peer.Ip).Send(HttpMethod.Post, Path, Http.JsonText(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(keys.Public, server.Peer(peer.Id).PublicKey);
    }

    [Fact]
    public async Task Rotate_ArrivesOnTheLiveStreamAsAChangedPeer()
    {
        await using var server = await ApiServer.StartAsync();
        var (peer, keys) = AddDeveloper3(server);
        await using var stream = await StateStreamClient.OpenAsync(server.Developer1());
        var first = await stream.ReadMessageAsync();
        var next = KeyPair.Generate().Public;
        var step = KeyRotationProof.Create(keys.Private, server.ServerKey, peer.Ip, next, 1);

        await (await server.ClientFrom(peer.Ip).PostJson(Path, new RotateKeyContents(step))).AssertStatusAsync(HttpStatusCode.NoContent);
        server.Time.Advance(StateFeed.MaxDelay);
        var update = await stream.ReadMessageAsync();

        Assert.Equal(first.Version, update.Since);
        var changed = Assert.Single(update.Peers);
        Assert.Equal(next, changed.PublicKey);
        Assert.Equal([step], changed.KeyRotations);
    }

    private static (Peer Peer, KeyPair Keys) AddDeveloper3(ApiServer server)
    {
        var keys = KeyPair.Generate();
        var peer = server.Store.AddPeer(
            ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId) with { PublicKey = keys.Public });
        return (peer, keys);
    }
}
