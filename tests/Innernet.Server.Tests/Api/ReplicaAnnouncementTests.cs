using Innernet.Core.Api;
using Innernet.Core.Model;

namespace Innernet.Server.Tests.Api;

/// <summary>
/// The live replicas' endpoints go to clients in the <c>X-Innernet-Replicas</c> header of the state answers (200 and 304)
/// and of the stream, never in the body: innernet 1.7 clients ignore the header, and the body and its <c>ETag</c> are
/// the same whatever is announced, so the tag holds across replicas.
/// </summary>
public sealed class ReplicaAnnouncementTests
{
    private const string StatePath = "/v1/user/state";
    private static readonly Endpoint A = Endpoint.Parse("192.0.2.1:51820");
    private static readonly Endpoint B = Endpoint.Parse("vpn-b.example.net:51820");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task State_NothingAnnounced_NoHeader()
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Developer1().Get(StatePath);

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.False(response.Headers.Contains(ReplicaAnnouncement.HeaderName));
    }

    [Fact]
    public async Task State_CarriesTheAnnouncedReplicas_On200And304_BodyAndETagUnchanged()
    {
        await using var server = await ApiServer.StartAsync();
        var before = await server.Developer1().Get(StatePath);
        byte[] bodyBefore = await before.Content.ReadAsByteArrayAsync(Ct);

        server.Replicas.Update([A, B]);
        var after = await server.Developer1().Get(StatePath);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, StatePath);
        conditional.Headers.TryAddWithoutValidation("If-None-Match", before.Headers.ETag!.ToString());
        var notModified = await server.Developer1().SendAsync(conditional, Ct);

        await after.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal($"{A}, {B}", Assert.Single(after.Headers.GetValues(ReplicaAnnouncement.HeaderName)));
        Assert.Equal(bodyBefore, await after.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(before.Headers.ETag, after.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal([A, B], ReplicaAnnouncement.Parse(Assert.Single(notModified.Headers.GetValues(ReplicaAnnouncement.HeaderName))));
    }

    [Fact]
    public async Task Stream_CarriesTheAnnouncedReplicas()
    {
        await using var server = await ApiServer.StartAsync();
        server.Replicas.Update([B]);

        await using var stream = await StateStreamClient.OpenAsync(server.Developer1());

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal([B], ReplicaAnnouncement.Parse(Assert.Single(stream.Response.Headers.GetValues(ReplicaAnnouncement.HeaderName))));
    }
}
