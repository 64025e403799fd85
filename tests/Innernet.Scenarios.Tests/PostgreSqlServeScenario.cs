using System.Globalization;

namespace Innernet.Scenarios.Tests;

/// <summary>
/// <c>serve</c> on PostgreSQL: a network created with <c>new --database</c> (a throw-away cluster's schema), two peers
/// redeem their invitations through the API and ping each other; the redeemed keys are rows in PostgreSQL, and a restarted
/// server serves the same network from there. And a real <c>serve --replica --metrics-listen</c> scraped while PostgreSQL
/// goes away and comes back. The tests of this class share one cluster and run one after another.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class PostgreSqlServeScenario(PostgreSqlCluster cluster) : Scenario(ScenarioBackend.Userspace),
    IClassFixture<PostgreSqlCluster>
{
    /// <summary>The metrics listener's port, on the server namespace's own loopback.</summary>
    private const int MetricsPort = 9586;

    [Fact]
    public async Task ServeOnPostgreSql_PeersJoinAndPing_StateSurvivesARestart()
    {
        cluster.Require();
        string connection = cluster.NewSchema();
        string schema = connection[(connection.LastIndexOf('=') + 1)..];
        using var net = NewNetwork("10.84.0.0/16");
        net.Create("--database", connection);
        net.AddCidr("humans", "10.84.1.0/24");
        var a = net.InvitePeer("a", "humans");
        var b = net.InvitePeer("b", "humans");
        await net.ServeAsync(Ct);
        await net.InstallAsync(Ct, a, b);
        await net.FetchAsync(Ct);

        Assert.True(net.Ping(a.Namespace, b.Ip), $"a pings b\n{net.ServerLog()}");
        Assert.Equal("a|t\nb|t", cluster.Sql($"SELECT name, is_redeemed FROM {schema}.peers WHERE id > 1 ORDER BY id").Trim());
        Log("serve on PostgreSQL: a and b redeemed (rows in PostgreSQL) and ping each other");

        Assert.Equal(0, net.StopServe());
        await net.ServeAsync(Ct);
        var state = net.ReadState();
        Assert.Equal(["innernet-server", "a", "b"], state.Peers.OrderBy(p => p.Id).Select(p => p.Name));
        await net.FetchAsync(Ct);
        Assert.True(net.Ping(b.Namespace, a.Ip), $"after the restart b pings a\n{net.ServerLog()}");
        Log("restarted serve reads the same network back from PostgreSQL; fetch and ping work");
    }

    [Fact]
    public async Task ServeAsAReplica_MetricsAndHealthCheckAnswer_AndSayWhilePostgreSqlIsGone()
    {
        cluster.Require();
        using var net = NewNetwork("10.85.0.0/16");
        net.Create("--database", cluster.NewSchema());
        net.AddCidr("humans", "10.85.1.0/24");
        var a = net.InvitePeer("a", "humans");
        var b = net.InvitePeer("b", "humans");
        await net.ServeAsync(Ct, "--replica", "--metrics-listen", $"127.0.0.1:{MetricsPort}");
        await net.InstallAsync(Ct, a, b);

        Assert.Equal((200, "ok\n"), Get(net, "/healthz"));
        var before = Scrape(net);
        Assert.Equal(1, before.Value("innernet_store_info", ("engine", "postgresql"), ("role", "replica")));
        Assert.Equal(1, before.Value("innernet_store_listening"));
        Assert.Equal(2, before.Value("innernet_wireguard_peers"));
        Assert.Equal(0, before.Value("innernet_store_commit_failures_total"));
        await net.FetchAsync(Ct, a);
        var after = Scrape(net);
        Assert.Equal(1, StateRequests(after) - StateRequests(before));
        Log("serve --replica: /healthz ok; /metrics says postgresql/replica, listening, 2 WireGuard peers; one fetch counted once");

        cluster.Stop();
        try
        {
            var refused = net.Server("add-cidr", net.Name, "--name", "robots", "--cidr", "10.85.2.0/24", "--parent", net.Name, "--yes");
            Assert.False(refused.Succeeded, $"a write while PostgreSQL is down must fail\n{refused}");
            Assert.True(
                refused.StandardError.Contains("(500 Internal Server Error)", StringComparison.Ordinal), $"{refused}\n{net.ServerLog()}");
            await net.WaitForAsync(
                () => Get(net, "/healthz") is (503, var reasons)
                    && reasons.Contains("does not answer", StringComparison.Ordinal)
                    && reasons.Contains("not hearing the other replicas' commits since", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), "/healthz to say that PostgreSQL does not answer and the replica does not hear", Ct);
            var down = Scrape(net);
            Assert.Equal(0, down.Value("innernet_store_listening"));
            Assert.True(down.Value("innernet_store_commit_failures_total") >= 1, down.Text);
            Assert.Contains("Not hearing the other replicas' commits", net.ServerLog(), StringComparison.Ordinal);

            // Reads answer from the last state.
            await net.FetchAsync(Ct, b);
            Assert.True(net.Ping(b.Namespace, a.Ip), $"b pings a while PostgreSQL is down\n{net.ServerLog()}");
        }
        finally
        {
            cluster.Start();
        }

        await net.WaitForAsync(
            () => Get(net, "/healthz") == (200, "ok\n"), TimeSpan.FromSeconds(60), "/healthz to be ok again", Ct);
        Assert.Equal(1, Scrape(net).Value("innernet_store_listening"));
        Assert.Contains("Hearing the other replicas' commits again", net.ServerLog(), StringComparison.Ordinal);
        net.AddCidr("robots", "10.85.2.0/24");
        Log("PostgreSQL stopped: the write failed, /healthz 503 with both reasons, listening 0; back: ok, and writes work");
    }

    /// <summary>GET over HTTP/1.0 from inside the server's namespace (bash's /dev/tcp: nothing to install): status and body.</summary>
    private static (int Status, string Body) Get(InnernetNetwork net, string path)
    {
        var result = net.Lab.ExecWithTimeout(TimeSpan.FromSeconds(30), net.ServerNamespace, "bash", "-c",
            $"exec 3<>/dev/tcp/127.0.0.1/{MetricsPort} && printf 'GET {path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && cat <&3");
        Assert.True(result.Succeeded, $"GET {path} in {net.ServerNamespace}: {result}");
        string response = result.StandardOutput;
        int headerEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(response.StartsWith("HTTP/1.", StringComparison.Ordinal) && headerEnd > 0, $"not an HTTP answer: '{response}'");
        return (int.Parse(response.AsSpan(9, 3), CultureInfo.InvariantCulture), response[(headerEnd + 4)..]);
    }

    private static PrometheusText Scrape(InnernetNetwork net)
    {
        var (status, body) = Get(net, "/metrics");
        Assert.Equal(200, status);
        return PrometheusText.Parse(body);
    }

    /// <summary><c>GET /v1/user/state</c> requests answered, whatever their status (200, or 304 to a conditional GET).</summary>
    private static double StateRequests(PrometheusText scrape)
        => scrape.Samples("innernet_http_requests_total")
            .Where(s => s.Labels.GetValueOrDefault("http_route") == "/v1/user/state"
                && s.Labels.GetValueOrDefault("http_request_method") == "GET")
            .Sum(s => s.Value);
}
