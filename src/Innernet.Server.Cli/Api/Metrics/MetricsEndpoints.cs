using System.Net;
using Innernet.Core.Persistence;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Innernet.Server.Api.Metrics;

/// <summary>
/// Prometheus metrics (<c>GET /metrics</c>, text format, through the OpenTelemetry exporter) and the health check
/// (<c>GET /healthz</c>) on the metrics listener (<see cref="ServerAppOptions.MetricsEndpoint"/>, loopback only) and on the
/// local admin socket; never on the API's TCP listeners, where these paths are 404 like any path innernet does not know.
/// The metrics listener serves nothing else: no API route answers there.
/// </summary>
internal static class MetricsEndpoints
{
    public const string MetricsPath = "/metrics";
    public const string HealthPath = "/healthz";

    /// <summary>The <c>service_name</c> of the exporter's <c>target_info</c>.</summary>
    private const string ServiceName = "innernet-server";

    /// <summary>Label combinations kept per instrument (the request counter has the most: routes × methods × statuses).</summary>
    private const int CardinalityLimit = 256;

    /// <summary>Marks the connections of the metrics listener.</summary>
    public static ConnectionMark Listener { get; } = new();

    /// <summary>
    /// Why <paramref name="endpoint"/> cannot be the metrics listener, or null: it must be a loopback address (metrics are
    /// served on the host only) and none of the API's addresses.
    /// </summary>
    public static string? Refusal(IPEndPoint endpoint, IEnumerable<IPEndPoint> api)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!IPAddress.IsLoopback(endpoint.Address))
        {
            return $"the metrics endpoint {endpoint} is not a loopback address: metrics are served on this host only";
        }

        return api.Any(a => a.Address.Equals(endpoint.Address))
            ? $"the metrics endpoint {endpoint} is on the API's address: metrics are never served there"
            : null;
    }

    /// <summary>
    /// The exporter of exactly <paramref name="store"/>'s and <paramref name="metrics"/>' instruments (other instances of the
    /// same meters, in the same process, are left out), read at each scrape: no cached answer, no background work.
    /// </summary>
    public static MeterProvider CreateMeterProvider(ServerStore store, ServerMetrics metrics)
        => Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .AddMeter(store.Meter.Name, metrics.Meter.Name)
            .AddView(instrument => ReferenceEquals(instrument.Meter, store.Meter) || ReferenceEquals(instrument.Meter, metrics.Meter)
                ? new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit }
                : MetricStreamConfiguration.Drop)
            .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0)
            .Build();

    /// <summary>
    /// Branches the metrics listener's requests, and the admin socket's for the two paths, off the API pipeline. Without a
    /// <paramref name="provider"/> (no metrics listener) <c>/metrics</c> is 404 and only the health check answers.
    /// </summary>
    public static void MapMetricsAndHealth(this IApplicationBuilder app, MeterProvider? provider, HealthCheck health)
        => app.MapWhen(Serves, branch =>
        {
            if (provider is not null)
            {
                branch.UseOpenTelemetryPrometheusScrapingEndpoint(
                    provider, context => IsGet(context, MetricsPath), path: null, configureBranchedPipeline: null, optionsName: null);
            }

            branch.Run(context =>
            {
                if (IsGet(context, HealthPath))
                {
                    return health.AnswerAsync(context);
                }

                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });

    private static bool Serves(HttpContext context)
        => Listener.IsOn(context)
            || (LocalAdminConnection.IsLocalAdmin(context) && (context.Request.Path == MetricsPath || context.Request.Path == HealthPath));

    private static bool IsGet(HttpContext context, string path)
        => HttpMethods.IsGet(context.Request.Method) && context.Request.Path == path;
}
