using System.Diagnostics;
using System.Diagnostics.Metrics;
using Innernet.Server.Api.Live;

namespace Innernet.Server.Api.Metrics;

/// <summary>
/// The API's own instruments (meter <c>Innernet.Server</c>, one instance per app, so that an exporter takes exactly this
/// app's): requests by route template, method and status; held state streams; propagation lag from a commit to its
/// write on a stream; WireGuard peers on the interface. <see cref="MetricsExporter"/> serves them with the store's.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "Innernet.Server";

    /// <summary>The route label of a request that matched no endpoint (refused before routing, or an unknown path).</summary>
    public const string UnmatchedRoute = "unmatched";

    /// <summary>Bucket bounds of the propagation lag in seconds: a pass runs 20–100 ms after a burst of commits.</summary>
    private static readonly double[] LagBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The methods the API serves; any other is counted as "_OTHER" (a client cannot invent label values).</summary>
    private static readonly string[] KnownMethods =
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _propagationLag;

    public ServerMetrics(StateFeed feed, IPeerSync peerSync)
    {
        Meter = new Meter(MeterName);
        _requests = Meter.CreateCounter<long>(
            "innernet.http.requests", unit: null, description: "API requests answered, by route template, method and status");
        _propagationLag = Meter.CreateHistogram(
            "innernet.live.propagation.lag",
            unit: "s",
            description: "Time from the commit of a change to the end of its write on a held state stream",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });
        Meter.CreateObservableGauge(
            "innernet.live.streams", () => feed.StreamCount, unit: null, description: "Held state streams (live clients)");
        Meter.CreateObservableGauge(
            "innernet.wireguard.peers",
            () => peerSync.InterfacePeerCount is { } count ? [new Measurement<int>(count)] : Array.Empty<Measurement<int>>(),
            unit: null,
            description: "Peers on the server's WireGuard interface after the last reconcile pass");
    }

    public Meter Meter { get; }

    /// <summary>A request was answered with <paramref name="status"/>.</summary>
    public void Request(HttpContext context, int status)
    {
        // A group's own route ends in "/" ("/v1/admin/peers/"): the label is the path as clients send it.
        string route = context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { Length: > 1 } template }
            ? template.TrimEnd('/')
            : UnmatchedRoute;
        string method = Array.Find(KnownMethods, m => HttpMethods.Equals(m, context.Request.Method)) ?? "_OTHER";
        _requests.Add(
            1,
            new KeyValuePair<string, object?>("http.route", route),
            new KeyValuePair<string, object?>("http.request.method", method),
            new KeyValuePair<string, object?>("http.response.status_code", status));
    }

    /// <summary>A message carrying the state committed at <paramref name="committedAt"/> (a Stopwatch timestamp) was written.</summary>
    public void Propagated(long committedAt) => _propagationLag.Record(Stopwatch.GetElapsedTime(committedAt).TotalSeconds);

    public void Dispose() => Meter.Dispose();
}
