using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Innernet.Server.PostgreSql;

/// <summary>
/// A replica's ear for the other replicas' commits: a dedicated connection LISTENs on the schema's channel (every commit
/// sends <c>pg_notify</c> with its generation) and calls <c>changed</c> for a generation newer than the engine's, once
/// after each (re)connect (whatever was committed while it was not listening), and every check interval (a connection
/// that died silently, a notification lost for any other reason). <c>changed</c> only asks the store to look; the store
/// compares generations and re-reads, so extra calls cost one small query. Reconnects by itself after a wait growing from
/// <see cref="FirstRetry"/> to <see cref="MaxRetry"/>. Losing the connection is logged once (a warning) and so is
/// listening again (with how long it was deaf); <see cref="Problem"/> says meanwhile why it does not hear.
/// </summary>
internal sealed partial class PostgreSqlChangeListener : IDisposable
{
    /// <summary>The schema's notification channel, as an SQL expression (an identifier shorter than PostgreSQL's 63 bytes).</summary>
    public const string ChannelSql = "'innernet_' || md5(current_schema())";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _source;
    private readonly TimeSpan _checkInterval;
    private readonly Func<long> _known;
    private readonly Action _changed;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _connections;
    private volatile string? _problem = "not listening yet";

    /// <summary>When the last connection was lost (for the log line of the next one); null while listening.</summary>
    private DateTimeOffset? _lostAt;

    /// <param name="dataSource">Where to connect (the engine's).</param>
    /// <param name="source">The database, for messages (no password).</param>
    /// <param name="checkInterval">How often to look without a notification (infinite: never).</param>
    /// <param name="known">The generation the engine last read or committed.</param>
    /// <param name="changed">Asks the store to look (must not block).</param>
    /// <param name="logger">Where losing and regaining the connection is logged.</param>
    public PostgreSqlChangeListener(
        NpgsqlDataSource dataSource, string source, TimeSpan checkInterval, Func<long> known, Action changed, ILogger logger)
    {
        _dataSource = dataSource;
        _source = source;
        _checkInterval = checkInterval;
        _known = known;
        _changed = changed;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Connections that reached LISTEN.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Null while listening; else why not (before the first connection, or since one was lost).</summary>
    public string? Problem => _problem;

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait(StopTimeout);
        }
        catch (AggregateException)
        {
            // It ends by cancellation.
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = FirstRetry;
        while (!cancellationToken.IsCancellationRequested)
        {
            long before = Interlocked.Read(ref _connections);
            try
            {
                await ListenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                // The database is unreachable or the connection broke: connect again after a while.
                bool wasListening = Interlocked.Read(ref _connections) != before;
                if (wasListening)
                {
                    // It had been listening: the waits start over.
                    retry = FirstRetry;
                }

                if (wasListening || _lostAt is null)
                {
                    _lostAt = DateTimeOffset.UtcNow;
                    Lost(_logger, _source, e.Message, retry.TotalSeconds);
                }

                _problem = $"not hearing the other replicas' commits since {_lostAt:u}: {e.Message}";
            }

            try
            {
                await Task.Delay(retry, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            retry = retry * 2 > MaxRetry ? MaxRetry : retry * 2;
        }
    }

    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            connection.Notification += OnNotification;
            string channel;
            using (var name = connection.CreateCommand())
            {
                name.CommandText = $"SELECT {ChannelSql}";
                channel = (string)(await name.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            using (var listen = connection.CreateCommand())
            {
                // The channel is "innernet_" and 32 hex digits: nothing to escape.
                listen.CommandText = $"LISTEN \"{channel}\"";
                await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _connections);
            _problem = null;
            if (_lostAt is { } lost)
            {
                _lostAt = null;
                Regained(_logger, _source, (DateTimeOffset.UtcNow - lost).TotalSeconds);
            }

            _changed();
            while (true)
            {
                if (!await connection.WaitAsync(_checkInterval, cancellationToken).ConfigureAwait(false))
                {
                    // Nothing heard for a while: prove the connection alive (a dead one fails here) and have the store look.
                    using var ping = connection.CreateCommand();
                    ping.CommandText = "SELECT 1";
                    await ping.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    _changed();
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Not hearing the other replicas' commits: the listener's connection to {Database} failed ({Error}); "
        + "this replica serves its last state and reconnects, first in {Retry:0.##} s")]
    private static partial void Lost(ILogger logger, string database, string error, double retry);

    [LoggerMessage(Level = LogLevel.Information, Message =
        "Hearing the other replicas' commits again on {Database} after {Seconds:0.0} s; catching up with what they committed")]
    private static partial void Regained(ILogger logger, string database, double seconds);

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out long generation) || generation > _known())
        {
            _changed();
        }
    }
}
