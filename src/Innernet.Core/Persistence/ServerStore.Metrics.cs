using System.Diagnostics.Metrics;
using System.Threading;
using System.Threading.Tasks;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>How long <see cref="CheckAnswersAsync"/> waits for the writer.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    private const string Closed = "the store is closed";

    private readonly StoreMetrics _metrics;
    private readonly Lock _probeLock = new();
    private Task? _probe;

    /// <summary>
    /// This store's instruments (meter <c>Innernet.Store</c>, one instance per store): the commit latency histogram
    /// <c>innernet.store.commit.duration</c> and the gauge <c>innernet.store.info</c> (engine and role as tags).
    /// </summary>
    public Meter Meter => _metrics.Meter;

    /// <summary>
    /// Whether the store answers: it is open, its writes are not stopped by a commit that failed half-way, its writer
    /// thread takes a write (one that changes nothing) within <see cref="AnswerTimeout"/>, and the database answers that
    /// writer (<see cref="StoreEngine.Ping"/>: a PostgreSQL query). Null when all hold, else the reason. While the writer
    /// has not answered an earlier check, no new one is queued: the answer is that reason.
    /// </summary>
    public async Task<string?> CheckAnswersAsync(CancellationToken cancellationToken)
    {
        string notAnswering = $"the store's writer has not answered within {AnswerTimeout.TotalSeconds:0} s";
        if (_disposed)
        {
            return Closed;
        }

        Task probe;
        lock (_probeLock)
        {
            if (_probe is { IsCompleted: false })
            {
                return notAnswering;
            }

            _probe = probe = Task.Run(() => Write(_ => Planned<bool>.Unchanged(PingDatabase()), audited: false), CancellationToken.None);
        }

        try
        {
            await probe.WaitAsync(AnswerTimeout, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (TimeoutException)
        {
            return notAnswering;
        }
        catch (ObjectDisposedException)
        {
            return Closed;
        }
        catch (StoreException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Why this store does not hear other servers' commits right now (a replica whose listener lost PostgreSQL: its
    /// readers get its last state), or null (listening, or an only writer).
    /// </summary>
    public string? WatchProblem => _engine.WatchProblem;

    /// <summary>On the writer thread (the plan of the check's write): one round trip to the database.</summary>
    private bool PingDatabase()
    {
        try
        {
            _engine.Ping();
            return true;
        }
        catch (Exception e) when (_engine.Wrap(e, $"The database '{Source}' does not answer") is { } wrapped)
        {
            throw wrapped;
        }
    }
}
