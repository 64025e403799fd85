using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Innernet.Server.Api;

/// <summary>
/// Kestrel connection middleware for the TCP listeners: at most <c>limit</c> open connections per source
/// address (a peer is its overlay IP), so one peer cannot hold the global connection slots. Connections over
/// the limit are closed before any byte is read. A source's first refusal is logged, the next ones only after
/// all its connections have closed (a flood is one log line, not thousands).
/// </summary>
internal sealed class ConnectionsPerSource(int limit, ILogger logger)
{
    private readonly Dictionary<IPAddress, Source> _sources = [];
    private readonly Lock _gate = new();

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (connection.RemoteEndPoint is not IPEndPoint remote)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var address = SourceAddress.Normalize(remote.Address);
        if (!TryOpen(address))
        {
            connection.Abort();
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Close(address);
        }
    };

    private bool TryOpen(IPAddress address)
    {
        bool logRefusal;
        lock (_gate)
        {
            if (!_sources.TryGetValue(address, out var source))
            {
                _sources[address] = new Source { Open = 1 };
                return true;
            }

            if (source.Open < limit)
            {
                source.Open++;
                return true;
            }

            logRefusal = !source.Refusing;
            source.Refusing = true;
        }

        if (logRefusal)
        {
            ApiLog.ConnectionsPerSourceExceeded(logger, address.ToString(), limit);
        }

        return false;
    }

    private void Close(IPAddress address)
    {
        lock (_gate)
        {
            var source = _sources[address];
            source.Open--;
            if (source.Open == 0)
            {
                _sources.Remove(address);
            }
        }
    }

    private sealed class Source
    {
        public int Open { get; set; }

        public bool Refusing { get; set; }
    }
}
