using System.Collections.Concurrent;
using Innernet.Core.Api;
using Innernet.Core.Client;
using Innernet.Core.Fetch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Client.Tests.Live;

/// <summary>
/// <c>inn up --daemon</c> when the replica it holds the stream with dies: the stream breaks, the session moves the server
/// peer's endpoint to the next announced replica and opens the stream again through it. The in-process server stands for
/// both replicas and answers only requests made while the client's device points at a live one.
/// </summary>
public sealed class LiveFailoverTests
{
    private static readonly Endpoint A = InProcessServer.ExternalEndpoint;
    private static readonly Endpoint B = Endpoint.Parse("127.0.0.2:51821");

    [Fact]
    public async Task StreamBreaks_WithItsReplica_SessionMovesToTheNext_AndHoldsTheStreamThere()
    {
        LiveClient? client = null;
        var dead = new ConcurrentBag<Endpoint>();
        var streams = new ConcurrentQueue<HttpContext>();
        Endpoint? Via() => client?.Layer.Fake.GetDevice(LiveClient.Iface) is null
            ? null
            : client.Layer.Fake.Peers(LiveClient.Iface)
                .Where(p => p.PublicKey.Equals(client.ServerKey)).Select(p => p.Endpoint).FirstOrDefault() is { } e
                ? Endpoint.FromIPEndPoint(e)
                : null;
        await using var server = await InProcessServer.StartAsync(app => app.Use(async (context, next) =>
        {
            if (Via() is not { } via || dead.Contains(via))
            {
                context.Abort();
                return;
            }

            context.Response.Headers[ReplicaAnnouncement.HeaderName] = $"{A}, {B}";
            if (context.Request.Path == "/v1/user/state/stream")
            {
                streams.Enqueue(context);
            }

            await next(context);
        }));
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (alice, aliceKeys) = server.AddPeer("alice", "127.42.1.3", humans.Id);
        server.AddPeer("bob", "127.42.1.4", humans.Id);
        client = new LiveClient(server, alice.Ip, aliceKeys) { ServerKey = server.ServerKeys.Public };
        await using var _ = client;
        string replicas = ClientPaths.ReplicasFile(client.Files.DataDirectory, LiveClient.Iface);
        client.Start();
        await client.UntilAsync(() => client.Session.StreamsOpened == 1 && ReplicaFile.Read(replicas).Count == 2, "alice's stream via A");

        dead.Add(A);
        foreach (var stream in streams)
        {
            stream.Abort();
        }

        await client.UntilAsync(() => client.Session.StreamsOpened == 2, "alice's stream again, through B");
        Assert.Equal(B, Via());
        Assert.Equal([B, A], ReplicaFile.Read(replicas));
    }
}
