using System.Collections.Concurrent;

namespace Innernet.Server.Api;

/// <summary>
/// Serialized response bodies by key (a CIDR id, say) for ONE state of the server at a time: the store's
/// <see cref="Core.Persistence.ServerStore.Version"/> and the <see cref="IPeerSync.EndpointGeneration"/>. A request
/// that reads a newer state drops every body of the older one; a request that reads an older state (it raced with
/// a change) is answered without the cache. Thread-safe; concurrent misses for one key build the body once.
/// </summary>
/// <remarks>
/// Callers read the version and the generation first and build the body from data read afterwards, so a body
/// is never older than its key: after a write or an endpoint change the next request builds a new one.
/// Bounded: at most <c>maxEntries</c> bodies and about <c>maxBytes</c> bytes per state; beyond that bodies are
/// built per request, as without a cache.
/// </remarks>
internal sealed class ResponseBodyCache(int maxEntries, long maxBytes)
{
    private Generation? _current;

    /// <summary>Bodies currently held (for tests and diagnostics).</summary>
    public int Count => Volatile.Read(ref _current)?.Bodies.Count ?? 0;

    /// <summary>
    /// The body for <paramref name="key"/> in state (<paramref name="version"/>, <paramref name="endpointGeneration"/>):
    /// cached, or built by <paramref name="build"/> (not cached when the generation is null). Either way with its
    /// entity tag, hashed once per build.
    /// </summary>
    public ResponseBody GetOrBuild<TState>(long version, long? endpointGeneration, long key, TState state, Func<TState, byte[]> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (endpointGeneration is not { } generation || Enter(version, generation) is not { } current)
        {
            return ResponseBody.From(build(state));
        }

        if (!current.Bodies.TryGetValue(key, out var body))
        {
            if (current.Bodies.Count >= maxEntries || Volatile.Read(ref current.Bytes) >= maxBytes)
            {
                return ResponseBody.From(build(state));
            }

            body = current.Bodies.GetOrAdd(key, NewBody(current, state, build));
        }

        try
        {
            return body.Value;
        }
        catch
        {
            // A failed build is not kept: the next request tries again.
            current.Bodies.TryRemove(KeyValuePair.Create(key, body));
            throw;
        }
    }

    /// <summary>A body built once, on first use, and counted against the byte bound.</summary>
    private static Lazy<ResponseBody> NewBody<TState>(Generation generation, TState state, Func<TState, byte[]> build)
        => new(
            () =>
            {
                var built = ResponseBody.From(build(state));
                Interlocked.Add(ref generation.Bytes, built.Bytes.Length);
                return built;
            },
            LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The generation for this state, made current if it is newer; null when the request is behind.</summary>
    private Generation? Enter(long version, long endpointGeneration)
    {
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && current.Version == version && current.EndpointGeneration == endpointGeneration)
            {
                return current;
            }

            bool newer = current is null
                || (version >= current.Version && endpointGeneration >= current.EndpointGeneration);
            if (!newer)
            {
                return null;
            }

            Interlocked.CompareExchange(ref _current, new Generation(version, endpointGeneration), current);
        }
    }

    /// <summary>The bodies of one (store version, endpoint generation).</summary>
    private sealed class Generation(long version, long endpointGeneration)
    {
        public long Bytes;

        public long Version { get; } = version;

        public long EndpointGeneration { get; } = endpointGeneration;

        public ConcurrentDictionary<long, Lazy<ResponseBody>> Bodies { get; } = new();
    }
}
