using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Contracts;
using Innernet.Core.Model;

namespace Innernet.Core.Api;

/// <summary>
/// A held <c>GET /v1/user/state/stream</c> (docs/api.md, "Live updates"): one <see cref="StateUpdate"/> per
/// <c>\n</c>-terminated JSON line, empty lines are heartbeats. The server is untrusted: a line longer than
/// <see cref="MaxLineBytes"/>, a line that is not a well-formed message, a bad version token and
/// <see cref="IdleTimeout"/> without a byte each end the stream with an <see cref="ApiTransportException"/> that
/// says what was wrong. Not thread-safe: one reader.
/// </summary>
public sealed class StateStreamReader : IAsyncDisposable
{
    /// <summary>A stream that delivers no byte (not even a heartbeat) for this long is dead.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(180);

    /// <summary>The longest line accepted: the cap of any answer of the API (a full view is one line).</summary>
    public const long MaxLineBytes = InnernetApiClient.MaxResponseBytes;

    private const int ReadChunkBytes = 64 * 1024;

    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;
    private readonly byte[] _chunk = new byte[ReadChunkBytes];
    private readonly MemoryStream _line = new();
    private int _chunkStart;
    private int _chunkEnd;
    private long _lineNumber;

    /// <summary>The live replicas the server announced when the stream opened (<see cref="ReplicaAnnouncement"/>); null: none.</summary>
    public IReadOnlyList<Innernet.Core.Model.Endpoint>? Replicas { get; init; }

    internal StateStreamReader(HttpResponseMessage response, Stream body, TimeProvider time, TimeSpan idleTimeout)
    {
        _response = response;
        _body = body;
        _time = time;
        _idleTimeout = idleTimeout;
    }

    /// <summary>Bytes received on this stream so far (heartbeats and line ends included), for measurements.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Heartbeats (empty lines) received so far.</summary>
    public long Heartbeats { get; private set; }

    /// <summary>The next message, skipping heartbeats; null when the server ended the stream cleanly.</summary>
    /// <exception cref="ApiTransportException">
    /// The connection broke, nothing arrived for <see cref="IdleTimeout"/>, or a line broke the protocol (too long,
    /// not JSON, not a message, a bad version token, a body that ended inside a line).
    /// </exception>
    public async Task<StateUpdate?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (!await ReadLineAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            _lineNumber++;
            if (_line.Length == 0)
            {
                Heartbeats++;
                continue;
            }

            return Parse(_line.GetBuffer().AsSpan(0, (int)_line.Length), _lineNumber);
        }
    }

    /// <summary>Checks one line as a message of the protocol.</summary>
    /// <exception cref="ApiTransportException">The line is not a well-formed message.</exception>
    internal static StateUpdate Parse(ReadOnlySpan<byte> line, long lineNumber)
    {
        StateUpdate? update;
        try
        {
            update = InnernetJson.Deserialize<StateUpdate>(line);
        }
        catch (JsonException e)
        {
            throw Malformed(lineNumber, $"not a JSON state update ({e.Message})", e);
        }

        if (update is null)
        {
            throw Malformed(lineNumber, "the message is null");
        }

        if (VersionProblem(update.Version) is { } versionProblem)
        {
            throw Malformed(lineNumber, "version: " + versionProblem);
        }

        if (update.Peers is null || update.Peers.Any(p => p is null))
        {
            throw Malformed(lineNumber, "'peers' is missing or holds a null");
        }

        if (update.Full)
        {
            if (update.Cidrs is null || update.Cidrs.Any(c => c is null))
            {
                throw Malformed(lineNumber, "a full message needs every CIDR in 'cidrs'");
            }
        }
        else
        {
            if (VersionProblem(update.Since) is { } sinceProblem)
            {
                throw Malformed(lineNumber, "a difference needs the version it applies to in 'since': " + sinceProblem);
            }

            if (update.Removed is null)
            {
                throw Malformed(lineNumber, "a difference needs 'removed'");
            }

            if (update.Cidrs is not null && update.Cidrs.Any(c => c is null))
            {
                throw Malformed(lineNumber, "'cidrs' holds a null");
            }
        }

        return update.Removed is null ? update with { Removed = [] } : update;
    }

    /// <summary>What is wrong with a version token (missing, empty, too long, not printable ASCII), or null.</summary>
    public static string? VersionProblem(string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            return "it is missing or empty";
        }

        if (version.Length > StateUpdate.MaxVersionLength)
        {
            return $"it is {version.Length} characters long, at most {StateUpdate.MaxVersionLength} are allowed";
        }

        int bad = version.AsSpan().IndexOfAnyExceptInRange(' ', '~');
        return bad < 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"character {bad} (U+{(int)version[bad]:X4}) is not printable ASCII");
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        await _line.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads up to the next <c>\n</c> into <see cref="_line"/>; false at a clean end of the body.</summary>
    private async Task<bool> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.SetLength(0);
        while (true)
        {
            int newline = Array.IndexOf(_chunk, (byte)'\n', _chunkStart, _chunkEnd - _chunkStart);
            int end = newline < 0 ? _chunkEnd : newline;
            if (_line.Length + (end - _chunkStart) > MaxLineBytes)
            {
                throw Malformed(_lineNumber + 1, $"the line is longer than {MaxLineBytes / (1024 * 1024)} MiB");
            }

            _line.Write(_chunk, _chunkStart, end - _chunkStart);
            if (newline >= 0)
            {
                _chunkStart = newline + 1;
                return true;
            }

            _chunkStart = 0;
            _chunkEnd = await FillAsync(cancellationToken).ConfigureAwait(false);
            if (_chunkEnd == 0)
            {
                if (_line.Length > 0)
                {
                    throw Malformed(_lineNumber + 1, "the stream ended inside a line");
                }

                return false;
            }
        }
    }

    private async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        using var idle = new CancellationTokenSource(_idleTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        try
        {
            int read = await _body.ReadAsync(_chunk, linked.Token).ConfigureAwait(false);
            BytesReceived += read;
            return read;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ApiTransportException(
                $"The state stream is dead: nothing arrived for {_idleTimeout.TotalSeconds:0.#} s.", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new ApiTransportException($"The state stream broke: {e.Message}", e);
        }
    }

    private static ApiTransportException Malformed(long lineNumber, string problem, Exception? inner = null)
    {
        string message = string.Create(
            CultureInfo.InvariantCulture, $"The server broke the state stream protocol at line {lineNumber}: {problem}.");
        return inner is null ? new ApiTransportException(message) : new ApiTransportException(message, inner);
    }
}
