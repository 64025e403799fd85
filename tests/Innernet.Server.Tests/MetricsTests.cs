using Innernet.Core.Contracts;
using Innernet.Core.Persistence;
using Innernet.Server.Api;
using Innernet.Server.Api.Live;
using Innernet.Server.Serve;
using Innernet.Server.Tests.Serve;
using Microsoft.Extensions.Logging.Abstractions;

namespace Innernet.Server.Tests;

/// <summary>
/// Prometheus metrics and the health check over real Kestrel: the metrics listener on 127.0.0.1 (the API of the test
/// network is on 127.80.0.1), scraped before and after real requests; each counter must move by exactly what was done.
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private const string Requests = "innernet_http_requests_total";
    private const string Commits = "innernet_store_commit_duration_seconds_count";
    private const string Lag = "innernet_live_propagation_lag_seconds_count";

    private static readonly IPEndPoint LoopbackAnyPort = new(IPAddress.Loopback, 0);

    private readonly string _directory = Directory.CreateTempSubdirectory("inn-metrics-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Requests_AreCountedByRouteTemplateMethodAndStatus()
    {
        await using var server = await ApiServer.StartAsync(metricsEndPoint: LoopbackAnyPort);
        var metrics = server.MetricsClient();
        var before = await PrometheusText.ScrapeAsync(metrics);

        var developer1 = server.Developer1();
        await (await developer1.Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.OK);
        await (await developer1.Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.OK);
        await (await developer1.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        var admin = server.Admin();
        await (await admin.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.OK);
        await (await admin.Delete("/v1/admin/peers/999")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await admin.Delete($"/v1/admin/peers/{TestNetwork.User2Id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        var after = await PrometheusText.ScrapeAsync(metrics);

        void AssertCounted(int expected, string route, string method, int status)
        {
            var labels = Labels(route, method, status);
            double counted = after.Value(Requests, labels) - before.Value(Requests, labels);
            Assert.True(counted == expected, $"{method} {route} -> {status}: counted {counted}, not {expected}; scrape:\n{after.Text}");
        }

        AssertCounted(2, "/v1/user/state", "GET", 200);
        AssertCounted(1, "/v1/admin/peers", "GET", 200);
        AssertCounted(1, "/v1/admin/peers/{id:long}", "DELETE", 404);
        AssertCounted(1, "/v1/admin/peers/{id:long}", "DELETE", 204);
        // Refused by the session step, before routing: no route template.
        AssertCounted(1, "unmatched", "GET", 401);
        Assert.Equal(6, after.Sum(Requests) - before.Sum(Requests));
    }

    [Fact]
    public async Task StoreCommits_AreOneHistogramSampleEach_AndTheEngineIsALabel()
    {
        await using var server = await ApiServer.StartAsync(metricsEndPoint: LoopbackAnyPort);
        var metrics = server.MetricsClient();
        var before = await PrometheusText.ScrapeAsync(metrics);

        for (int i = 0; i < 3; i++)
        {
            server.Store.AddCidr(new CidrContents($"lab{i}", IPNetwork.Parse($"127.81.{i}.0/24"), Cidr.RootId));
        }

        var after = await PrometheusText.ScrapeAsync(metrics);

        Assert.Equal(3, after.Value(Commits) - before.Value(Commits));
        Assert.Equal(3, after.Value("innernet_store_commit_duration_seconds_bucket", ("le", "+Inf"))
            - before.Value("innernet_store_commit_duration_seconds_bucket", ("le", "+Inf")));
        Assert.True(after.Value("innernet_store_commit_duration_seconds_sum") > before.Value("innernet_store_commit_duration_seconds_sum"));
        Assert.Equal(1, after.Value("innernet_store_info", ("engine", "litedb"), ("role", "single")));
    }

    [Fact]
    public async Task LiveStreams_AreAGauge_AndEachDeliveredChangeIsOneLagSample()
    {
        await using var server = await ApiServer.StartAsync(metricsEndPoint: LoopbackAnyPort);
        var metrics = server.MetricsClient();
        Assert.Equal(0, (await PrometheusText.ScrapeAsync(metrics)).Value("innernet_live_streams"));
        var before = await PrometheusText.ScrapeAsync(metrics);

        await using (var stream = await StateStreamClient.OpenAsync(server.Developer1()))
        {
            _ = await stream.ReadMessageAsync();
            Assert.Equal(1, (await PrometheusText.ScrapeAsync(metrics)).Value("innernet_live_streams"));

            for (int i = 0; i < 2; i++)
            {
                var added = await server.Admin().PostJson("/v1/admin/peers", ApiServer.NewPeer(
                    $"developer{3 + i}", IPAddress.Parse($"127.80.64.{4 + i}"), TestNetwork.DeveloperCidrId));
                added.EnsureSuccessStatusCode();
                server.Time.Advance(StateFeed.MaxDelay);
                var update = await stream.ReadMessageAsync();
                Assert.False(update.Full);
            }

            // The sample is taken once the write returned on the server, which the client may see a moment before.
            await Eventually.TrueAsync(
                () => ScrapeNow(metrics).Value(Lag) - before.Value(Lag) == 2, "two propagation lag samples");
        }

        await Eventually.TrueAsync(() => ScrapeNow(metrics).Value("innernet_live_streams") == 0, "no stream left");
        var after = await PrometheusText.ScrapeAsync(metrics);
        Assert.Equal(2, after.Value(Lag) - before.Value(Lag));
        Assert.True(after.Value("innernet_live_propagation_lag_seconds_sum") > 0);
    }

    [Fact]
    public async Task WireGuardPeers_AreThePeersOnTheInterface_AndAbsentOnceItIsGone()
    {
        using var lab = new ReconcileLab(members: 3);
        lab.AddPeer("invitee", redeemed: false);
        using var sync = new WireGuardPeerSync(
            lab.WireGuard, ReconcileLab.Device, ReconcileLab.ServerKey, lab.Store.ListPeers, NullLogger.Instance, lab.Time);
        sync.Start(null);
        await using var server = await ApiServer.StartAsync(metricsEndPoint: LoopbackAnyPort, peerSync: sync);
        var metrics = server.MetricsClient();

        var scrape = await PrometheusText.ScrapeAsync(metrics);
        Assert.NotEmpty(lab.DeviceKeys());
        Assert.Equal(lab.DeviceKeys().Count, scrape.Value("innernet_wireguard_peers"));

        lab.WireGuard.DeleteDevice(ReconcileLab.Device);
        long passes = sync.Passes;
        lab.Time.Advance(WireGuardPeerSync.ReconcileInterval);
        await Eventually.TrueAsync(() => sync.Passes > passes, "a periodic pass");

        Assert.False((await PrometheusText.ScrapeAsync(metrics)).Has("innernet_wireguard_peers"));
    }

    [Fact]
    public async Task TheOverlayApi_DoesNotAnswerMetricsOrHealth_AndTheMetricsListenerServesNoApi()
    {
        await using var server = await ApiServer.StartAsync(metricsEndPoint: LoopbackAnyPort);

        HttpClient[] apiClients = [server.Developer1(), server.Admin(), server.ClientFrom(server.Network.UnknownIp, serverKeyHeader: null)];
        foreach (var client in apiClients)
        {
            await (await client.Get("/metrics")).AssertStatusAsync(HttpStatusCode.NotFound);
            await (await client.Get("/healthz")).AssertStatusAsync(HttpStatusCode.NotFound);
        }

        var metrics = server.MetricsClient();
        await (await metrics.Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await metrics.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await metrics.Get("/metrics")).StatusCode);
    }

    [Fact]
    public async Task AdminSocket_ServesMetricsAndHealth()
    {
        await using var server = await ApiServer.StartAsync(
            adminSocketPath: Path.Combine(_directory, "admin.sock"), metricsEndPoint: LoopbackAnyPort);
        var admin = server.LocalAdminClient();

        var scrape = await PrometheusText.ScrapeAsync(admin);
        var health = await admin.Get("/healthz");

        Assert.True(scrape.Has("innernet_store_info"), scrape.Text);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task WithoutAMetricsListener_NoMetricsAreCollected_ButTheAdminSocketAnswersHealth()
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: Path.Combine(_directory, "admin.sock"));
        var admin = server.LocalAdminClient();

        await (await admin.Get("/metrics")).AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await admin.Get("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Health_Is200_Then503WithTheReasonOnceTheStoreIsClosed()
    {
        await using var server = await ApiServer.StartAsync(metricsEndPoint: LoopbackAnyPort, wireGuardInterface: "lo");
        var metrics = server.MetricsClient();

        var healthy = await metrics.Get("/healthz");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal("ok\n", await healthy.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        server.Store.Dispose();
        var broken = await metrics.Get("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, broken.StatusCode);
        Assert.Equal("the store is closed\n", await broken.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Health_Is503_WhenTheWireGuardInterfaceDoesNotExist()
    {
        const string missing = "innmissing0";
        await using var server = await ApiServer.StartAsync(metricsEndPoint: LoopbackAnyPort, wireGuardInterface: missing);

        var response = await server.MetricsClient().Get("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal($"the WireGuard interface {missing} does not exist\n", body);
    }

    [Theory]
    [InlineData("198.51.100.1")]
    [InlineData("127.80.0.1")]
    public void MetricsEndpoint_MustBeLoopbackAndNotTheApiAddress(string address)
    {
        using var data = new MemoryStream();
        using var store = ServerStore.Create(data, new NewNetwork(
            TestNetwork.Name, TestNetwork.V4.Root, TestNetwork.V4.ServerIp, TestKeys.RandomKey(), TestNetwork.ExternalEndpoint));

        Assert.Throws<ArgumentException>(() => ServerApp.Build(new ServerAppOptions
        {
            Store = store,
            ServerPublicKey = TestKeys.RandomKey(),
            ListenEndpoints = [new IPEndPoint(TestNetwork.V4.ServerIp, 0)],
            MetricsEndpoint = new IPEndPoint(IPAddress.Parse(address), 9586),
        }));
    }

    private static (string, string)[] Labels(string route, string method, int status) =>
    [
        ("http_route", route),
        ("http_request_method", method),
        ("http_response_status_code", status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    private static PrometheusText ScrapeNow(HttpClient client) => PrometheusText.ScrapeAsync(client).GetAwaiter().GetResult();
}
