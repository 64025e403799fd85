using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Innernet.Server.Api.Live;
using Innernet.Server.Api.Metrics;
using OpenTelemetry.Metrics;

namespace Innernet.Server.Api;

/// <summary>
/// Builds the innernet HTTP API on Kestrel, without the CLI: plain HTTP/1.1 on the configured TCP
/// endpoints (the server's overlay IP, bound to the WireGuard device) and optionally the local admin Unix
/// socket and a loopback metrics listener (<see cref="MetricsEndpoints"/>).
/// The caller starts, runs and disposes the returned app; it does not own the store.
/// </summary>
public static class ServerApp
{
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);
    private const int MaxRequestHeadersBytes = 16 * 1024;
    private const int MaxRequestHeaderCount = 50;
    private const int MaxRequestLineBytes = 4 * 1024;
    /// <summary>
    /// Open connections in all: one held state stream per peer of a 10,000-peer network, with room for polls and
    /// CLI commands (each connection costs a file descriptor; the runtime raises the soft limit to the hard one).
    /// </summary>
    private const int MaxConcurrentConnections = 16 * 1024;

    /// <summary>
    /// Open TCP connections per source address. An innernet client uses one at a time (HTTP/1.1, a request per
    /// fetch), ours one more for its held stream; 16 leaves room for several CLI commands at once.
    /// </summary>
    internal const int MaxConnectionsPerSource = 16;

    /// <exception cref="ArgumentException">No endpoint to listen on.</exception>
    public static WebApplication Build(ServerAppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Store, nameof(options.Store));
        ArgumentNullException.ThrowIfNull(options.PeerSync, nameof(options.PeerSync));
        ArgumentNullException.ThrowIfNull(options.ListenEndpoints, nameof(options.ListenEndpoints));
        if (options.ListenEndpoints.Count == 0 && string.IsNullOrEmpty(options.LocalAdminSocketPath))
        {
            throw new ArgumentException("The API needs a TCP endpoint or a local admin socket to listen on.", nameof(options));
        }

        if (options.MetricsEndpoint is { } metricsEndpoint
            && MetricsEndpoints.Refusal(metricsEndpoint, options.ListenEndpoints) is { } refusal)
        {
            throw new ArgumentException(refusal, nameof(options));
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "innernet-server",
            EnvironmentName = Environments.Production,
        });

        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        builder.Services.AddLogging();
        builder.Services.Replace(ServiceDescriptor.Singleton(loggerFactory));
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ApiContext>();
        builder.Services.AddHostedService<InvitationSweeper>();
        builder.Services.AddPeerWriteLimit();
        if (options.MetricsEndpoint is not null)
        {
            // Only with a metrics listener: without one the instruments have no listener and cost nothing.
            builder.Services.AddSingleton(
                services => MetricsEndpoints.CreateMeterProvider(options.Store, services.GetRequiredService<ApiContext>().Metrics));
        }

        var listenSockets = new ListenSockets(options);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = listenSockets.CreateBound);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ConfigureLimits(kestrel.Limits);
            var perSource = new ConnectionsPerSource(
                MaxConnectionsPerSource, loggerFactory.CreateLogger(typeof(ConnectionsPerSource).FullName!));
            foreach (var endPoint in options.ListenEndpoints)
            {
                kestrel.Listen(endPoint, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(perSource.Wrap);
                });
            }

            if (options.MetricsEndpoint is { } metrics)
            {
                kestrel.Listen(metrics, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(next => connection =>
                    {
                        MetricsEndpoints.Listener.Set(connection);
                        return next(connection);
                    });
                });
            }

            if (options.LocalAdminSocketPath is { Length: > 0 } path)
            {
                var logger = loggerFactory.CreateLogger(typeof(LocalAdminConnection).FullName!);
                kestrel.ListenUnixSocket(path, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(LocalAdminConnection.Middleware(logger));
                });
            }
        });

        var app = builder.Build();
        app.MapMetricsAndHealth(app.Services.GetService<MeterProvider>(), new HealthCheck(options.Store, options.WireGuardInterface));
        app.UseMiddleware<ApiResponseMiddleware>();
        app.UseMiddleware<ChangeNotificationMiddleware>();
        app.UseMiddleware<SessionMiddleware>();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseMiddleware<AuditMiddleware>();
        app.MapUserEndpoints();
        app.MapAdminPeerEndpoints();
        app.MapAdminCidrEndpoints();
        app.MapAdminAssociationEndpoints();
        app.MapLocalAdminEndpoints();

        // Held streams end first: Kestrel's graceful stop waits for running requests.
        var feed = app.Services.GetRequiredService<ApiContext>().Feed;
        app.Lifetime.ApplicationStopping.Register(feed.Stop);
        app.Lifetime.ApplicationStopped.Register(feed.Dispose);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            if (listenSockets.BoundUnixSocketPath is { } socketPath)
            {
                DeleteSocketFile(socketPath);
            }
        });

        return app;
    }

    private static void ConfigureLimits(KestrelServerLimits limits)
    {
        limits.MaxRequestBodySize = RequestBody.MaxBytes;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersBytes;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.MaxRequestLineSize = MaxRequestLineBytes;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.MaxConcurrentConnections = MaxConcurrentConnections;
        limits.MaxConcurrentUpgradedConnections = 0;

        // A held state stream is one long response. Kestrel's response rate check (MinResponseDataRate, 240 B/s
        // after a 5 s grace) applies only while a write is pending, so an idle stream is never cut, while a client
        // that stops reading a message is; KeepAliveTimeout and RequestHeadersTimeout apply between requests only.
    }

    private static void DeleteSocketFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the next start replaces a stale socket file anyway.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
