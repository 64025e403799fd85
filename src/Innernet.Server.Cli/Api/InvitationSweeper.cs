using Microsoft.Extensions.Hosting;

namespace Innernet.Server.Api;

/// <summary>
/// Every 10 s deletes unredeemed invitations that have expired (freeing their names and IPs, as innernet does) and,
/// unlike innernet, removes their temporary keys from the server's WireGuard interface; it also frees the reserved
/// IPs of deleted peers whose time has come.
/// </summary>
internal sealed class InvitationSweeper(ApiContext api, ILogger<InvitationSweeper> logger) : BackgroundService
{
    /// <summary>innernet's sweep interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    // Started with the host, not when ExecuteAsync gets scheduled (it runs on a background task), so the
    // first sweep is due exactly one interval after start.
    private readonly PeriodicTimer _timer = new(Interval, api.Time);
    private long _passes;

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                SweepOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>
    /// Sweeps finished so far, failed ones included (counted when a sweep has made all its changes), so that a
    /// test can wait for a sweep to have run instead of sleeping.
    /// </summary>
    internal long Passes => Interlocked.Read(ref _passes);

    /// <summary>One sweep; failures are logged and the next tick tries again.</summary>
    internal void SweepOnce()
    {
        try
        {
            var removed = api.Store.DeleteExpiredInvitations(api.Time.GetUtcNow());
            if (removed.Count > 0)
            {
                ApiLog.InvitationsSwept(logger, removed.Count, string.Join(", ", removed.Select(p => p.ToString())));
                api.PeerSync.PeersRemoved(removed);
                api.Feed.Notify();
            }

            var released = api.Store.ReleaseExpiredIps(api.Time.GetUtcNow());
            if (released.Count > 0)
            {
                ApiLog.ReservedIpsReleased(logger, released.Count, string.Join(", ", released.Select(r => $"{r.Ip} ({r.Name})")));
            }
        }
#pragma warning disable CA1031 // A failed sweep (disk, WireGuard) must not stop the server; it is logged and retried.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ApiLog.SweepFailed(logger, e);
        }
        finally
        {
            Interlocked.Increment(ref _passes);
        }
    }
}
