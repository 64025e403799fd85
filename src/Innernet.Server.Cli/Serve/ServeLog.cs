namespace Innernet.Server.Serve;

/// <summary>The serve loop's log messages (never keys).</summary>
internal static partial class ServeLog
{
    [LoggerMessage(1, LogLevel.Information, "{Interface}: WireGuard updated ({What})")]
    public static partial void WireGuardUpdated(ILogger logger, string @interface, string what);

    [LoggerMessage(2, LogLevel.Error, "{Interface}: WireGuard update failed ({What})")]
    public static partial void WireGuardUpdateFailed(ILogger logger, Exception exception, string @interface, string what);

    [LoggerMessage(3, LogLevel.Warning, "{Interface}: the WireGuard interface is gone; observed endpoints are not refreshed")]
    public static partial void InterfaceMissing(ILogger logger, string @interface);

    [LoggerMessage(4, LogLevel.Information,
        "{Interface}: interface up ({Address}, MTU {Mtu}, {Routing}); {Peers} peer(s) loaded into WireGuard ({Device} device: {Changes})")]
    public static partial void InterfaceUp(
        ILogger logger, string @interface, string address, int mtu, string routing, int peers, string device, string changes);

    [LoggerMessage(5, LogLevel.Information, "{Interface}: API listening on {Endpoint}, local admin socket {Socket}")]
    public static partial void Serving(ILogger logger, string @interface, string endpoint, string socket);

    [LoggerMessage(6, LogLevel.Warning, "{Message}")]
    public static partial void Warning(ILogger logger, string message);

    [LoggerMessage(7, LogLevel.Error, "{Interface}: periodic task failed ({What})")]
    public static partial void PeriodicFailed(ILogger logger, Exception exception, string @interface, string what);

    [LoggerMessage(8, LogLevel.Information, "{Interface}: hosts file {Path} updated")]
    public static partial void HostsWritten(ILogger logger, string @interface, string path);

    [LoggerMessage(9, LogLevel.Information, "{Interface}: shutting down (the interface stays up)")]
    public static partial void Stopping(ILogger logger, string @interface);

    [LoggerMessage(10, LogLevel.Information, "{Interface}: server candidates set to {Candidates}")]
    public static partial void Candidates(ILogger logger, string @interface, string candidates);

    [LoggerMessage(11, LogLevel.Information, "{Interface}: start-up took {Timings}")]
    public static partial void StartupTimings(ILogger logger, string @interface, string timings);
}
