using Innernet.Core;
using Innernet.Core.Keys;
using Innernet.Core.Model;

namespace Innernet.Client.Tests.Fetch;

/// <summary>
/// A pin-forging server: it changes the key of a pinned IP. Only a valid chain of rotation steps signed by the pinned
/// key moves the pin; anything else is the same PINNING ERROR as before rotation existed, and changes nothing.
/// </summary>
public sealed partial class HostileAnswerTests
{
    private static readonly IPAddress BobIp = IPAddress.Parse("127.44.1.3");

    [Fact]
    public async Task KeyRotatedWithValidProof_IsApplied_AndThePinMoves()
    {
        await using var server = await HostileServer.StartAsync();
        var (client, bob, bobKeys) = await PinnedBobAsync(server);
        using var _ = client;
        var next = KeyPair.Generate();
        var rotated = bob with { PublicKey = next.Public, KeyRotations = [Step(bobKeys, server.ServerKeys.Public, BobIp, next.Public, 1)] };
        server.State = context => HostileServer.Json(context, server.Answer(rotated));

        await client.FetchAsync();

        var peers = client.Layer.Fake.GetDevice(Iface)!.Peers;
        Assert.Contains(peers, p => p.PublicKey == next.Public);
        Assert.DoesNotContain(peers, p => p.PublicKey == bobKeys.Public);
        // The pin is the new key now: the old one back (even with the old, valid step attached) is a pin violation.
        var back = bob with { KeyRotations = rotated.KeyRotations };
        await AssertPinRefusedAsync(client, server.Answer(back));
    }

    public static TheoryData<string> Forgeries =>
        ["no proof", "signed by another key", "for another IP", "for another network", "replayed older step"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task KeyChangedWithoutValidProof_IsRefusedByThePin(string forgery)
    {
        await using var server = await HostileServer.StartAsync();
        var (client, bob, bobKeys) = await PinnedBobAsync(server);
        using var _ = client;
        var next = KeyPair.Generate().Public;
        var network = server.ServerKeys.Public;
        IReadOnlyList<KeyRotation> proof = forgery switch
        {
            "no proof" => [],
            "signed by another key" => [Step(KeyPair.Generate(), network, BobIp, next, 1) with { OldPublicKey = bobKeys.Public }],
            "for another IP" => [Step(bobKeys, network, IPAddress.Parse("127.44.1.4"), next, 1)],
            "for another network" => [Step(bobKeys, KeyPair.Generate().Public, BobIp, next, 1)],
            _ => [],
        };
        var answer = bob with { PublicKey = next, KeyRotations = proof };
        if (forgery == "replayed older step")
        {
            // bob went k0 → k1 → k0 (generations 1, 2); the client is pinned at k0 by generation 2. The server replays
            // the generation-1 step k0 → k1: its signature by k0 holds, but it is older than the pin.
            var k1 = KeyPair.Generate();
            var step1 = Step(bobKeys, network, BobIp, k1.Public, 1);
            var step2 = Step(k1, network, BobIp, bobKeys.Public, 2);
            server.State = context => HostileServer.Json(context,
                server.Answer(bob with { PublicKey = k1.Public, KeyRotations = [step1] }));
            await client.FetchAsync();
            server.State = context => HostileServer.Json(context, server.Answer(bob with { KeyRotations = [step1, step2] }));
            await client.FetchAsync();
            answer = bob with { PublicKey = k1.Public, KeyRotations = [step1] };
        }

        var e = await AssertPinRefusedAsync(client, server.Answer(answer));

        Assert.Contains("127.44.1.3", e.Message, StringComparison.Ordinal);
    }

    private static async Task<(Client Client, Peer Bob, KeyPair BobKeys)> PinnedBobAsync(HostileServer server)
    {
        var bobKeys = KeyPair.Generate();
        var bob = HostileServer.MakePeer(3, "bob", BobIp.ToString()) with { PublicKey = bobKeys.Public };
        server.State = context => HostileServer.Json(context, server.Answer(bob));
        return (await InstalledAsync(server), bob, bobKeys);
    }

    private static async Task<PinningException> AssertPinRefusedAsync(Client client, State answer)
    {
        client.Server.State = context => HostileServer.Json(context, answer);
        var before = client.Snapshot();

        var e = await Assert.ThrowsAsync<PinningException>(client.FetchAsync);

        Assert.StartsWith("PINNING ERROR:", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, client.Snapshot());
        return e;
    }

    private static KeyRotation Step(KeyPair from, Netlink.WireGuard.WireGuardKey network, IPAddress ip, Netlink.WireGuard.WireGuardKey to,
        long generation)
        => KeyRotationProof.Create(from.Private, network, ip, to, generation);
}
