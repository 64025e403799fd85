using System.Buffers.Text;
using System.Net.Http.Headers;
using Innernet.Core.Contracts;
using Innernet.Server.Api;

namespace Innernet.Server.Tests.Api;

/// <summary>
/// Conditional <c>GET /v1/user/state</c> and <c>GET /v1/admin/peers</c> (an extension; innernet's client sends no
/// <c>If-None-Match</c>): every 200 carries a strong <c>ETag</c>, a matching <c>If-None-Match</c> gets a 304 with the
/// tag and no body, and the tag changes exactly when the bytes this viewer would get change.
/// </summary>
public sealed class ConditionalGetTests
{
    private const string StatePath = "/v1/user/state";

    private static async Task<(ApiServer Server, GenerationPeerSync Sync)> StartAsync()
    {
        var sync = new GenerationPeerSync();
        var server = await ApiServer.StartAsync(peerSync: sync);
        sync.Observe(server.Peer(TestNetwork.Developer1Id).PublicKey, ApiServer.Developer1Observed);
        return (server, sync);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (ifNoneMatch is not null)
        {
            Assert.True(request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch));
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<(byte[] Body, string ETag)> OkAsync(HttpClient client, string path, string? ifNoneMatch = null)
    {
        var response = await GetAsync(client, path, ifNoneMatch);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        var tag = response.Headers.ETag;
        Assert.NotNull(tag);
        Assert.False(tag.IsWeak, "a hash of the bytes is a strong validator");
        return (await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken), tag.ToString());
    }

    private static async Task AssertNotModifiedAsync(HttpClient client, string path, string ifNoneMatch, string expectedTag)
    {
        var response = await GetAsync(client, path, ifNoneMatch);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(expectedTag, response.Headers.ETag?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task State_HasAQuotedStrongETag_SameForTheSameBytes_OtherForAnotherView()
    {
        var (server, _) = await StartAsync();
        await using var _ = server;

        var developer1 = await OkAsync(server.Developer1(), StatePath);
        var developer2 = await OkAsync(server.Developer2(), StatePath);
        var admin = await OkAsync(server.Admin(), StatePath);

        Assert.Matches("^\"[A-Za-z0-9_-]{43}\"$", developer1.ETag);
        Assert.Equal(developer1.Body, developer2.Body);
        Assert.Equal(developer1.ETag, developer2.ETag);
        Assert.NotEqual(developer1.ETag, admin.ETag);
    }

    [Fact]
    public void ETag_IsTheBlake2b256OfTheBody()
    {
        // RFC 7693's BLAKE2b with a 32-byte digest of "abc" (also Python's hashlib.blake2b(b"abc", digest_size=32)).
        byte[] expected = Convert.FromHexString("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");

        var body = ResponseBody.From("abc"u8.ToArray());

        Assert.Equal("\"" + Base64Url.EncodeToString(expected) + "\"", body.EntityTag);
    }

    [Fact]
    public async Task SameContentInANewCache_HasTheSameETag_SoARestartKeeps304s()
    {
        var (server, sync) = await StartAsync();
        await using var _ = server;
        var served = await OkAsync(server.Developer1(), StatePath);

        // A restarted server starts with an empty cache over the same store and observed endpoints.
        var rebuilt = new ResponseBodies(server.Store, sync).UserState(TestNetwork.DeveloperCidrId);

        Assert.Equal(served.Body, rebuilt.Bytes);
        Assert.Equal(served.ETag, rebuilt.EntityTag);
    }

    [Fact]
    public async Task SameETagAgain_Is304_WithTheETag_NoBody_NoContentLength()
    {
        var (server, _) = await StartAsync();
        await using var _ = server;
        var first = await OkAsync(server.Developer1(), StatePath);

        await AssertNotModifiedAsync(server.Developer1(), StatePath, first.ETag, first.ETag);
        var raw = await RawHttp.SendAsync(server, server.Network.Developer1, "GET", StatePath, $"If-None-Match: {first.ETag}\r\n");

        Assert.Equal(304, raw.Status);
        Assert.Equal(first.ETag, raw.Headers["ETag"]);
        Assert.Empty(raw.Body);
        Assert.False(raw.Headers.ContainsKey("Content-Length"));
        Assert.False(raw.Headers.ContainsKey("Transfer-Encoding"));
    }

    [Fact]
    public async Task ChangeTheViewerSees_Is200_WithANewETag()
    {
        var (server, _) = await StartAsync();
        await using var _ = server;
        var before = await OkAsync(server.Developer1(), StatePath);
        var developer2 = server.Peer(TestNetwork.Developer2Id);
        var renamed = developer2.Contents with { Name = "developer-two" };
        var rename = await server.Admin().PutJson($"/v1/admin/peers/{TestNetwork.Developer2Id}", renamed);
        await rename.AssertStatusAsync(HttpStatusCode.NoContent);

        var after = await OkAsync(server.Developer1(), StatePath, before.ETag);

        Assert.NotEqual(before.ETag, after.ETag);
        Assert.Contains(InnernetJson.Deserialize<State>(after.Body).Peers, p => p.Name == "developer-two");
        await AssertNotModifiedAsync(server.Developer1(), StatePath, after.ETag, after.ETag);
    }

    [Fact]
    public async Task ChangeOnlyAnotherCidrSees_StaysNotModified()
    {
        var (server, _) = await StartAsync();
        await using var _ = server;
        var before = await OkAsync(server.Developer1(), StatePath);
        long versionBefore = server.Store.Version;

        // user2 is in the user CIDR, which the developer CIDR is not associated with.
        var candidates = new List<Endpoint> { Endpoint.Parse("192.0.2.7:51820") };
        var report = await server.ClientFrom(server.Network.User2).PutJson("/v1/user/candidates", candidates);
        await report.AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.True(server.Store.Version > versionBefore, "the write must have changed the store");
        await AssertNotModifiedAsync(server.Developer1(), StatePath, before.ETag, before.ETag);
    }

    [Fact]
    public async Task ObservedEndpointChange_GivesANewETag()
    {
        var (server, sync) = await StartAsync();
        await using var _ = server;
        var before = await OkAsync(server.Developer1(), StatePath);

        sync.Observe(server.Peer(TestNetwork.Developer2Id).PublicKey, IPEndPoint.Parse("198.51.100.99:40000"));
        var after = await OkAsync(server.Developer1(), StatePath, before.ETag);

        Assert.NotEqual(before.ETag, after.ETag);
        var developer2 = InnernetJson.Deserialize<State>(after.Body).Peers.Single(p => p.Name == "developer2");
        Assert.Equal(Endpoint.Parse("198.51.100.99:40000"), developer2.Endpoint);
    }

    public static TheoryData<string, bool> IfNoneMatchForms => new()
    {
        { "*", true },
        { "{tag}", true },
        { "W/{tag}", true },
        { "\"other\", {tag}", true },
        { "\"other\" ,W/{tag} , \"more\"", true },
        { "\"other\"", false },
        { "W/\"other\", \"more\"", false },
        { "{bare}", false },
        { "not a tag", false },
    };

    [Theory]
    [MemberData(nameof(IfNoneMatchForms))]
    public async Task IfNoneMatch_StarListsAndWeakTags_UseWeakComparison(string form, bool notModified)
    {
        var (server, _) = await StartAsync();
        await using var _ = server;
        var current = await OkAsync(server.Developer1(), StatePath);
        string header = form.Replace("{tag}", current.ETag, StringComparison.Ordinal)
            .Replace("{bare}", current.ETag.Trim('"'), StringComparison.Ordinal);

        if (notModified)
        {
            await AssertNotModifiedAsync(server.Developer1(), StatePath, header, current.ETag);
        }
        else
        {
            var again = await OkAsync(server.Developer1(), StatePath, header);
            Assert.Equal(current.Body, again.Body);
            Assert.Equal(current.ETag, again.ETag);
        }
    }

    [Fact]
    public async Task AdminPeers_IsConditionalToo()
    {
        var (server, sync) = await StartAsync();
        await using var _ = server;
        var before = await OkAsync(server.Admin(), "/v1/admin/peers");
        await AssertNotModifiedAsync(server.Admin(), "/v1/admin/peers", before.ETag, before.ETag);

        sync.Observe(server.Peer(TestNetwork.Developer2Id).PublicKey, IPEndPoint.Parse("198.51.100.98:40000"));
        var after = await OkAsync(server.Admin(), "/v1/admin/peers", before.ETag);

        Assert.NotEqual(before.ETag, after.ETag);
    }

    [Fact]
    public async Task InnernetRequestWithoutIfNoneMatch_GetsTheSame200_HeadersOnlyAddAnETag()
    {
        var (server, sync) = await StartAsync();
        await using var _ = server;
        await OkAsync(server.Developer2(), StatePath);

        // The request head innernet 1.7's ureq client sends (no conditional headers).
        var raw = await RawHttp.SendAsync(
            server, server.Network.Developer1, "GET", StatePath, "User-Agent: ureq/2.9.1\r\nAccept: */*\r\nAccept-Encoding: gzip\r\n");

        var state = server.Store.GetState(TestNetwork.Developer1Id);
        var expected = InnernetJson.SerializeToUtf8Bytes(
            new State(state.Peers.Select(p => EndpointInjection.Serve(p, sync)).ToList(), state.Cidrs));
        Assert.Equal(200, raw.Status);
        Assert.Equal(expected, raw.Body);
        // innernet 1.7.1 answers with content-type, content-length and date; Connection answers our "close".
        Assert.Equal(
            ["connection", "content-length", "content-type", "date", "etag"],
            raw.Headers.Keys.Select(k => k.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.Equal("application/json", raw.Headers["Content-Type"]);
    }

    [Fact]
    public async Task AtAThousandVisiblePeers_AnIdlePollIsHeadersOnly()
    {
        // docs/benchmarks.md has this at 10,000 peers (the store fills slowly: about 50 s, too long for this layer).
        const int peers = 1_000;
        var (server, _) = await StartAsync();
        await using var _ = server;
        // One CIDR of 10,000 peers that all see each other; every third peer with two NAT candidates.
        long cidr = server.Store.AddCidr(new CidrContents("bulk", server.Network.ExperimentalCidr, Cidr.RootId)).Id;
        var first = server.Network.ExperimentalCidr.BaseAddress.GetAddressBytes();
        for (int i = 0; i < peers; i++)
        {
            var ip = (byte[])first.Clone();
            ip[2] += (byte)(i / 250);
            ip[3] = (byte)(1 + (i % 250));
            var contents = ApiServer.NewPeer($"peer-{i:D5}", new IPAddress(ip), cidr);
            server.Store.AddPeer(i % 3 == 0
                ? contents with { Candidates = [Endpoint.Parse($"192.0.2.{i % 250}:51820"), Endpoint.Parse($"198.51.100.{i % 250}:40000")] }
                : contents);
        }

        var viewer = new IPAddress([first[0], first[1], first[2], 1]); // peer-00000
        var full = await RawHttp.SendAsync(server, viewer, "GET", StatePath);
        var idle = await RawHttp.SendAsync(server, viewer, "GET", StatePath, $"If-None-Match: {full.Headers["ETag"]}\r\n");

        TestContext.Current.SendDiagnosticMessage(
            $"{peers} visible peers: 200 = {full.WireBytes} bytes on the wire ({full.Body.Length} body), 304 = {idle.WireBytes} bytes");
        Assert.Equal(200, full.Status);
        Assert.True(InnernetJson.Deserialize<State>(full.Body).Peers.Count > peers);
        Assert.True(full.Body.Length > 200 * peers, $"the full answer is {full.Body.Length} bytes");
        Assert.Equal(304, idle.Status);
        Assert.Empty(idle.Body);
        Assert.True(idle.WireBytes < 256, $"the 304 is {idle.WireBytes} bytes");
    }
}
