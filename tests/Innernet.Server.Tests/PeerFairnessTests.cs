using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Innernet.Server.Api;

namespace Innernet.Server.Tests;

/// <summary>
/// One peer cannot starve the others: connections are limited per source address, self-service writes per
/// peer. Real Kestrel on loopback, each peer connecting from its own 127.80.x address.
/// </summary>
public sealed class PeerFairnessTests
{
    private const int FloodConnections = 1100;

    [Fact]
    public async Task ConnectionFlood_FromOnePeer_KeepsItsShare_AndAnotherPeerIsServedAtOnce()
    {
        await using var server = await ApiServer.StartAsync();
        string request = $"GET /v1/user/state HTTP/1.1\r\nHost: innernet\r\n{SessionMiddlewareKey(server)}\r\n\r\n";
        var flood = new List<Socket>();
        try
        {
            var outcomes = new List<bool>();
            for (int opened = 0; opened < FloodConnections; opened += 100)
            {
                var batch = Enumerable.Range(0, Math.Min(100, FloodConnections - opened)).Select(_ =>
                    OpenKeepAliveAsync(server, request, flood)).ToList();
                outcomes.AddRange(await Task.WhenAll(batch));
            }

            // While the flood's connections are still open.
            var started = Stopwatch.GetTimestamp();
            var response = await server.Developer1().Get("/v1/user/state");
            var elapsed = Stopwatch.GetElapsedTime(started);

            await response.AssertStatusAsync(HttpStatusCode.OK);
            Assert.True(elapsed < TimeSpan.FromSeconds(5), $"the other peer waited {elapsed.TotalMilliseconds:F0} ms");
            Assert.Equal(ServerApp.MaxConnectionsPerSource, outcomes.Count(served => served));
            Assert.Equal(FloodConnections - ServerApp.MaxConnectionsPerSource, outcomes.Count(served => !served));
            Assert.Single(server.Logs.Lines, l => l.Contains($"Closing new connections from {server.Network.Developer2}",
                StringComparison.Ordinal));
        }
        finally
        {
            foreach (var socket in flood)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task SelfServiceWrites_OverTheBurst_Are429WithRetryAfter_PerPeer()
    {
        await using var server = await ApiServer.StartAsync();
        var developer1 = server.Developer1();
        var candidates = new List<Endpoint> { Endpoint.Parse("192.0.2.1:51820") };

        var (accepted, limited, elapsed) = await WriteUntilLimitedAsync(() => developer1.PutJson("/v1/user/candidates", candidates));

        // A full bucket, plus at most one refill per period that passed while writing.
        Assert.InRange(accepted, PeerWriteLimit.Burst, PeerWriteLimit.Burst + (int)Math.Ceiling(elapsed / PeerWriteLimit.RefillPeriod));
        await limited.AssertStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.InRange(int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture), 1,
            (int)Math.Ceiling(PeerWriteLimit.RefillPeriod.TotalSeconds));

        // The endpoint override draws on the same (now empty) bucket.
        var endpoint = EndpointContents.Set(Endpoint.Parse("192.0.2.7:51820"));
        var (endpointAccepted, _, endpointElapsed) = await WriteUntilLimitedAsync(() => developer1.PutJson("/v1/user/endpoint", endpoint));
        Assert.InRange(endpointAccepted, 0, (int)Math.Ceiling(endpointElapsed / PeerWriteLimit.RefillPeriod));

        // Another peer's bucket is its own; reads are not limited.
        await (await server.Developer2().PutJson("/v1/user/candidates", candidates)).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await developer1.Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>
    /// p99 of developer1's GET /v1/user/state while developer2 writes its candidates at 100 Hz, against the p99
    /// without the writer, in alternating rounds (so machine load drifts hit both alike).
    /// </summary>
    [Fact]
    public async Task WriterAt100Hz_DoesNotRaiseAnotherPeersStateLatencyP99MoreThanTwofold()
    {
        const int rounds = 4;
        var phase = TimeSpan.FromSeconds(1);
        await using var server = await ApiServer.StartAsync();
        // A CIDR of 200 more peers, so every accepted write makes the reader's state body costly to rebuild.
        for (int i = 0; i < 200; i++)
        {
            server.Store.AddPeer(ApiServer.NewPeer($"dev{i}", IPAddress.Parse($"127.80.64.{10 + i}"), TestNetwork.DeveloperCidrId));
        }

        var reader = server.Developer1();
        var writer = server.Developer2();
        await MeasureStateAsync(reader, TimeSpan.FromMilliseconds(200));

        var baseline = new List<double>();
        var withWriter = new List<double>();
        int writes = 0, limited = 0;
        var writing = TimeSpan.Zero;
        for (int round = 0; round < rounds; round++)
        {
            baseline.AddRange(await MeasureStateAsync(reader, phase));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            var started = Stopwatch.GetTimestamp();
            var writerTask = WriteAt100HzAsync(writer, stop.Token);
            withWriter.AddRange(await MeasureStateAsync(reader, phase));
            await stop.CancelAsync();
            var (sent, tooMany) = await writerTask;
            writing += Stopwatch.GetElapsedTime(started);
            writes += sent;
            limited += tooMany;
        }

        double basePercentile = Percentile99(baseline);
        double writerPercentile = Percentile99(withWriter);
        double rate = writes / writing.TotalSeconds;
        TestContext.Current.SendDiagnosticMessage(
            $"state p99 {basePercentile:F2} ms alone ({baseline.Count} samples), {writerPercentile:F2} ms with the writer "
            + $"({withWriter.Count} samples; {rate:F0} writes/s, {limited} of {writes} got 429)");
        Assert.True(rate > 50, $"the writer managed only {rate:F0} writes/s");
        Assert.True(limited > writes / 2, $"only {limited} of {writes} writes were limited");
        Assert.True(writerPercentile <= 2 * basePercentile,
            $"state p99 {writerPercentile:F2} ms with the writer, {basePercentile:F2} ms without (more than 2x)");
    }

    /// <summary>Repeats a write until it is answered 429 (at most 100 times); every other answer must be 204.</summary>
    private static async Task<(int Accepted, HttpResponseMessage Limited, TimeSpan Elapsed)> WriteUntilLimitedAsync(
        Func<Task<HttpResponseMessage>> write)
    {
        var started = Stopwatch.GetTimestamp();
        for (int accepted = 0; accepted < 100; accepted++)
        {
            var response = await write();
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return (accepted, response, Stopwatch.GetElapsedTime(started));
            }

            await response.AssertStatusAsync(HttpStatusCode.NoContent);
        }

        Assert.Fail("100 writes in a row were accepted");
        return default;
    }

    private static string SessionMiddlewareKey(ApiServer server) => $"{SessionMiddleware.ServerKeyHeader}: {server.ServerKey.ToBase64()}";

    /// <summary>Connects from developer2, sends a keep-alive request and keeps the socket; true if it was answered 200.</summary>
    private static async Task<bool> OpenKeepAliveAsync(ApiServer server, string request, List<Socket> sockets)
    {
        var socket = server.NewSocket(AddressFamily.InterNetwork);
        lock (sockets)
        {
            sockets.Add(socket);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        socket.Bind(new IPEndPoint(server.Network.Developer2, 0));
        var buffer = new byte[64];
        try
        {
            // A refused connection may be reset before connect() reports completion.
            await socket.ConnectAsync(server.EndPoint, timeout.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, timeout.Token);
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal);
        }
        catch (SocketException e)
            when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            return false;
        }
    }

    /// <summary>Back-to-back GET /v1/user/state for <paramref name="duration"/>; the latency of each in ms.</summary>
    private static async Task<List<double>> MeasureStateAsync(HttpClient client, TimeSpan duration)
    {
        var latencies = new List<double>();
        var phaseStarted = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(phaseStarted) < duration)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.Get("/v1/user/state");
            await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        return latencies;
    }

    /// <summary>
    /// Starts a PUT /v1/user/candidates every 10 ms until cancelled (up to 8 in flight, within the per-source
    /// connection budget; a tick is skipped when all 8 are busy); returns how many were sent and how many got 429.
    /// </summary>
    private static async Task<(int Sent, int TooMany)> WriteAt100HzAsync(HttpClient client, CancellationToken cancellationToken)
    {
        int sent = 0, tooMany = 0;
        var inFlight = new List<Task<HttpStatusCode>>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var done in inFlight.Where(t => t.IsCompleted).ToList())
                {
                    tooMany += await done == HttpStatusCode.TooManyRequests ? 1 : 0;
                    inFlight.Remove(done);
                }

                if (inFlight.Count < 8)
                {
                    inFlight.Add(PutCandidatesAsync(client, sent++));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }

        foreach (var status in await Task.WhenAll(inFlight))
        {
            tooMany += status == HttpStatusCode.TooManyRequests ? 1 : 0;
        }

        return (sent, tooMany);
    }

    private static async Task<HttpStatusCode> PutCandidatesAsync(HttpClient client, int sequence)
    {
        var candidates = new List<Endpoint> { Endpoint.Parse($"192.0.2.{(sequence % 250) + 1}:51820") };
        using var response = await client.PutAsync("/v1/user/candidates", Http.Json(candidates), TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static double Percentile99(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        return sorted[(int)Math.Ceiling(0.99 * sorted.Count) - 1];
    }
}
