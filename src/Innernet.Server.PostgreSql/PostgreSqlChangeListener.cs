using System.Globalization;
using Npgsql;

namespace Innernet.Server.PostgreSql;

/// <summary>
/// A replica's ear for the other replicas' commits: a dedicated connection LISTENs on the schema's channel (every commit
/// sends <c>pg_notify</c> with its generation) and calls <c>changed</c> for a generation newer than the engine's, once
/// after each (re)connect (whatever was committed while it was not listening), and every check interval (a connection
/// that died silently, a notification lost for any other reason). <c>changed</c> only asks the store to look; the store
/// compares generations and re-reads, so extra calls cost one small query. Reconnects by itself after a wait growing from
/// <see cref="FirstRetry"/> to <see cref="MaxRetry"/>.
/// </summary>
internal sealed class PostgreSqlChangeListener : IDisposable
{
    /// <summary>The schema's notification channel, as an SQL expression (an identifier shorter than PostgreSQL's 63 bytes).</summary>
    public const string ChannelSql = "'innernet_' || md5(current_schema())";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeSpan _checkInterval;
    private readonly Func<long> _known;
    private readonly Action _changed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _connections;

    /// <param name="dataSource">Where to connect (the engine's).</param>
    /// <param name="checkInterval">How often to look without a notification (infinite: never).</param>
    /// <param name="known">The generation the engine last read or committed.</param>
    /// <param name="changed">Asks the store to look (must not block).</param>
    public PostgreSqlChangeListener(NpgsqlDataSource dataSource, TimeSpan checkInterval, Func<long> known, Action changed)
    {
        _dataSource = dataSource;
        _checkInterval = checkInterval;
        _known = known;
        _changed = changed;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Connections that reached LISTEN.</summary>
    public long Connections => Interlocked.Read(ref _connections);

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
            }

            if (Interlocked.Read(ref _connections) != before)
            {
                // It had been listening: the waits start over.
                retry = FirstRetry;
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

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out long generation) || generation > _known())
        {
            _changed();
        }
    }
}
