using System.Globalization;
using System.Text;
using Innernet.Core.Contracts;
using Innernet.Core.Keys;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Innernet.Server.Tests;

/// <summary>
/// Every route the app serves × every kind of caller: who gets through and with which status. Failures are 401
/// with an empty body; the local admin socket reaches every admin endpoint and no user endpoint, and the routes
/// only the local admin socket serves are 404 to an admin over TCP. A refused request changes nothing.
/// </summary>
public sealed class AuthMatrixTests
{
    public enum Caller
    {
        NoKeyHeader,
        WrongKey,
        UnknownIp,
        DisabledPeer,
        UnredeemedPeer,
        NonAdmin,
        Admin,
        LocalAdmin,
    }

    private sealed record Call(string Method, string Path, Func<ApiServer, string?> Body);

    /// <summary>The id <see cref="ApiServer.AddInvitee"/> gives the invitation each case adds first.</summary>
    private const long InviteeId = 7;

    private static readonly Dictionary<string, (Call Call, int[] Expected)> Table = new()
    {
        // Columns: NoKeyHeader, WrongKey, UnknownIp, DisabledPeer, UnredeemedPeer, NonAdmin, Admin, LocalAdmin.
        ["GET /user/state"] = (new("GET", "/v1/user/state", _ => null), [401, 401, 401, 401, 401, 200, 200, 401]),
        ["GET /user/capabilities"] = (new("GET", "/v1/user/capabilities", _ => null), [401, 401, 401, 401, 200, 200, 200, 401]),
        ["POST /user/redeem"] = (new("POST", "/v1/user/redeem", _ => InnernetJson.Serialize(new RedeemContents(TestKeys.RandomKey()))),
            [401, 401, 401, 401, 204, 410, 410, 401]),
        ["PUT /user/endpoint"] = (new("PUT", "/v1/user/endpoint",
            _ => InnernetJson.Serialize(EndpointContents.Set(Endpoint.Parse("192.0.2.1:51820")))),
            [401, 401, 401, 401, 401, 204, 204, 401]),
        ["PUT /user/candidates"] = (new("PUT", "/v1/user/candidates", _ => """["192.0.2.1:51820"]"""),
            [401, 401, 401, 401, 401, 204, 204, 401]),
        ["GET /admin/peers"] = (new("GET", "/v1/admin/peers", _ => null), [401, 401, 401, 401, 401, 401, 200, 200]),
        ["POST /admin/peers"] = (new("POST", "/v1/admin/peers",
            s => InnernetJson.Serialize(ApiServer.NewPeer("developer3", s.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId))),
            [401, 401, 401, 401, 401, 401, 201, 201]),
        ["PUT /admin/peers/6"] = (new("PUT", "/v1/admin/peers/6",
            s => InnernetJson.Serialize(s.Peer(6).Contents with { Name = "user-two" })), [401, 401, 401, 401, 401, 401, 204, 204]),
        ["DELETE /admin/peers/6"] = (new("DELETE", "/v1/admin/peers/6", _ => null), [401, 401, 401, 401, 401, 401, 204, 204]),
        ["GET /admin/cidrs"] = (new("GET", "/v1/admin/cidrs", _ => null), [401, 401, 401, 401, 401, 401, 200, 200]),
        ["POST /admin/cidrs"] = (new("POST", "/v1/admin/cidrs",
            s => InnernetJson.Serialize(new CidrContents("experimental", s.Network.ExperimentalCidr, Cidr.RootId))),
            [401, 401, 401, 401, 401, 401, 201, 201]),
        ["PUT /admin/cidrs/5"] = (new("PUT", "/v1/admin/cidrs/5",
            s => InnernetJson.Serialize(new CidrContents("customers", s.Network.UserCidr, Cidr.RootId))),
            [401, 401, 401, 401, 401, 401, 204, 204]),
        ["DELETE /admin/cidrs/6"] = (new("DELETE", "/v1/admin/cidrs/6", _ => null), [401, 401, 401, 401, 401, 401, 204, 204]),
        ["GET /admin/associations"] = (new("GET", "/v1/admin/associations", _ => null), [401, 401, 401, 401, 401, 401, 200, 200]),
        ["POST /admin/associations"] = (new("POST", "/v1/admin/associations",
            _ => InnernetJson.Serialize(new AssociationContents(TestNetwork.AdminCidrId, TestNetwork.UserCidrId))),
            [401, 401, 401, 401, 401, 401, 201, 201]),
        ["DELETE /admin/associations/1"] = (new("DELETE", "/v1/admin/associations/1", _ => null), [401, 401, 401, 401, 401, 401, 204, 204]),

        // Beyond innernet's API.
        ["GET /user/state/stream"] = (new("GET", "/v1/user/state/stream", _ => null), [401, 401, 401, 401, 401, 200, 200, 401]),

        // A well-formed step signed by a key no peer holds: whoever may rotate gets past the caller check to 400.
        ["POST /user/rotate-key"] = (new("POST", "/v1/user/rotate-key", s => InnernetJson.Serialize(new RotateKeyContents(
            KeyRotationProof.Create(KeyPair.Generate().Private, s.ServerKey, s.Network.Developer1, KeyPair.Generate().Public, 1)))),
            [401, 401, 401, 401, 401, 400, 400, 401]),
        ["POST /admin/peers/6/delete"] = (new("POST", "/v1/admin/peers/6/delete", _ => null), [401, 401, 401, 401, 401, 401, 204, 204]),
        ["GET /admin/reserved-ips"] = (new("GET", "/v1/admin/reserved-ips", _ => null), [401, 401, 401, 401, 401, 401, 200, 200]),
        ["GET /admin/audit"] = (new("GET", "/v1/admin/audit", _ => null), [401, 401, 401, 401, 401, 401, 200, 200]),
        ["POST /admin/peers/7/reissue"] = (new("POST", "/v1/admin/peers/7/reissue",
            s => InnernetJson.Serialize(s.Peer(InviteeId).Contents with
        {
            PublicKey = TestKeys.RandomKey(),
            InviteExpires = s.Time.GetUtcNow() + TimeSpan.FromDays(2),
        })), [401, 401, 401, 401, 401, 401, 404, 200]),
        ["PUT /admin/server/endpoint"] = (new("PUT", "/v1/admin/server/endpoint",
            _ => InnernetJson.Serialize(EndpointContents.Set(Endpoint.Parse("192.0.2.9:51820")))),
            [401, 401, 401, 401, 401, 401, 404, 204]),
    };

    public static TheoryData<string, Caller, int> Cases()
    {
        var data = new TheoryData<string, Caller, int>();
        foreach (var (name, (_, expected)) in Table)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                data.Add(name, caller, expected[(int)caller]);
            }
        }

        return data;
    }

    [Fact]
    public async Task Table_HasARowForEveryRouteAndMethodTheAppServes_AndEveryRowIsOne()
    {
        await using var server = await ApiServer.StartAsync();
        var routes = server.Routes
            .SelectMany(r => r.Metadata.GetRequiredMetadata<IHttpMethodMetadata>().HttpMethods.Select(m =>
                (Method: m, Route: r.RoutePattern)))
            .ToList();

        var uncovered = routes
            .Where(r => !Table.Values.Any(row => row.Call.Method == r.Method && Matches(r.Route, row.Call.Path)))
            .Select(r => $"{r.Method} {r.Route.RawText}");
        var unrouted = Table
            .Where(row => routes.Count(r => r.Method == row.Value.Call.Method && Matches(r.Route, row.Value.Call.Path)) != 1)
            .Select(row => row.Key);

        Assert.NotEmpty(routes);
        Assert.Empty(uncovered);
        Assert.Empty(unrouted);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_ForCaller_AnswersTheExpectedStatus(string endpoint, Caller caller, int expected)
    {
        string socketDirectory = Directory.CreateTempSubdirectory("inn-api-").FullName;
        try
        {
            await using var server = await ApiServer.StartAsync(adminSocketPath: Path.Combine(socketDirectory, "admin.sock"));
            Assert.Equal(InviteeId, server.AddInvitee().Id);
            server.AddRetired();
            server.Store.AddCidr(new CidrContents("spare", IPNetwork.Parse("127.80.32.0/24"), Cidr.RootId));
            server.Store.AddAssociation(new AssociationContents(TestNetwork.DeveloperCidrId, TestNetwork.UserCidrId));
            var before = Snapshot(server);
            var (call, _) = Table[endpoint];
            var client = ClientFor(server, caller);
            string? body = call.Body(server);
            var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            }

            // Headers only: a state stream that is let through is one long response.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead,
                TestContext.Current.CancellationToken);

            if (expected >= 400)
            {
                await response.AssertStatusAsync((HttpStatusCode)expected);
                Assert.Equal(before, Snapshot(server));
            }
            else
            {
                Assert.Equal((HttpStatusCode)expected, response.StatusCode);
            }
        }
        finally
        {
            Directory.Delete(socketDirectory, recursive: true);
        }
    }

    private static HttpClient ClientFor(ApiServer server, Caller caller) => caller switch
    {
        Caller.NoKeyHeader => server.ClientFrom(server.Network.Admin, serverKeyHeader: null),
        Caller.WrongKey => server.ClientFrom(server.Network.Admin, TestKeys.RandomKey().ToBase64()),
        Caller.UnknownIp => server.ClientFrom(server.Network.UnknownIp),
        Caller.DisabledPeer => server.ClientFrom(server.Network.RetiredIp),
        Caller.UnredeemedPeer => server.ClientFrom(server.Network.InviteeIp),
        Caller.NonAdmin => server.Developer1(),
        Caller.Admin => server.Admin(),
        Caller.LocalAdmin => server.LocalAdminClient(),
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    /// <summary>
    /// Whether the concrete <paramref name="path"/> is one of <paramref name="route"/>: literal segments equal,
    /// each parameter (the API's are all <c>{id:long}</c>) a number.
    /// </summary>
    private static bool Matches(RoutePattern route, string path)
    {
        string[] segments = path.TrimStart('/').Split('/');
        return route.PathSegments.Count == segments.Length
            && route.PathSegments.Zip(segments).All(p => p.First.Parts switch
            {
                [RoutePatternLiteralPart literal] => literal.Content == p.Second,
                [RoutePatternParameterPart] => long.TryParse(p.Second, NumberStyles.None, CultureInfo.InvariantCulture, out _),
                _ => false,
            });
    }

    private static string Snapshot(ApiServer server)
        => InnernetJson.Serialize(server.Store.ListPeers().ToList())
            + InnernetJson.Serialize(server.Store.ListCidrs().ToList())
            + InnernetJson.Serialize(server.Store.ListAssociations().ToList());
}
