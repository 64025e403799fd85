using Innernet.Server.Api;

namespace Innernet.Server.Tests.Api;

/// <summary>The bounded, per-state body cache behind <c>GET /v1/user/state</c> and <c>GET /v1/admin/peers</c>.</summary>
public sealed class ResponseBodyCacheTests
{
    private static byte[] Body(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    [Fact]
    public void SameState_BuildsEachKeyOnce()
    {
        var cache = new ResponseBodyCache(16, long.MaxValue);
        int builds = 0;
        byte[] Build(long key)
        {
            Interlocked.Increment(ref builds);
            return Body($"key {key}");
        }

        var first = cache.GetOrBuild(1, 0, 4, 4L, Build);
        var again = cache.GetOrBuild(1, 0, 4, 4L, Build);
        var other = cache.GetOrBuild(1, 0, 5, 5L, Build);

        Assert.Same(first, again);
        Assert.Equal(Body("key 5"), other.Bytes);
        Assert.Equal(2, builds);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void NewerVersionOrGeneration_DropsTheOldBodies_AndRebuilds()
    {
        var cache = new ResponseBodyCache(16, long.MaxValue);
        int version = 1, generation = 0;
        byte[] Build(long key) => Body($"v{version} g{generation} key {key}");
        cache.GetOrBuild(1, 0, 4, 4L, Build);
        cache.GetOrBuild(1, 0, 5, 5L, Build);

        version = 2;
        var afterWrite = cache.GetOrBuild(2, 0, 4, 4L, Build);
        Assert.Equal(1, cache.Count);
        generation = 7;
        var afterEndpointChange = cache.GetOrBuild(2, 7, 4, 4L, Build);

        Assert.Equal(Body("v2 g0 key 4"), afterWrite.Bytes);
        Assert.Equal(Body("v2 g7 key 4"), afterEndpointChange.Bytes);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void RequestBehindTheCache_IsBuiltButNeitherCachedNorReplacingTheNewerState()
    {
        var cache = new ResponseBodyCache(16, long.MaxValue);
        cache.GetOrBuild(5, 3, 4, "new", Body);

        var olderVersion = cache.GetOrBuild(4, 3, 4, "old version", Body);
        var olderGeneration = cache.GetOrBuild(5, 2, 4, "old generation", Body);
        var current = cache.GetOrBuild(5, 3, 4, "not rebuilt", Body);

        Assert.Equal(Body("old version"), olderVersion.Bytes);
        Assert.Equal(Body("old generation"), olderGeneration.Bytes);
        Assert.Equal(Body("new"), current.Bytes);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void NoGeneration_NothingIsCached()
    {
        var cache = new ResponseBodyCache(16, long.MaxValue);
        int builds = 0;

        for (int i = 0; i < 3; i++)
        {
            cache.GetOrBuild(1, null, 4, 0, _ => Body($"build {Interlocked.Increment(ref builds)}"));
        }

        Assert.Equal(3, builds);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Bounded_ByEntries_AndByBytes()
    {
        var byEntries = new ResponseBodyCache(2, long.MaxValue);
        foreach (long key in new long[] { 1, 2, 3, 3 })
        {
            byEntries.GetOrBuild(1, 0, key, key, k => Body($"key {k}"));
        }

        var byBytes = new ResponseBodyCache(100, 10);
        byBytes.GetOrBuild(1, 0, 1, 0, _ => new byte[10]);
        var uncached = byBytes.GetOrBuild(1, 0, 2, 0, _ => new byte[10]);

        Assert.Equal(2, byEntries.Count);
        Assert.Equal(1, byBytes.Count);
        Assert.Equal(10, uncached.Bytes.Length);
    }

    [Fact]
    public async Task ConcurrentMisses_BuildOnce_AndGetTheSameBytes()
    {
        const int callers = 8;
        var cache = new ResponseBodyCache(16, long.MaxValue);
        int builds = 0;
        using var release = new ManualResetEventSlim();
        var threads = new System.Collections.Concurrent.ConcurrentBag<Thread>();
        var tasks = Enumerable.Range(0, callers).Select(_ => Task.Factory.StartNew(
            () =>
            {
                threads.Add(Thread.CurrentThread);
                return cache.GetOrBuild(1, 0, 4, 0, _ =>
                {
                    Interlocked.Increment(ref builds);
                    release.Wait(TimeSpan.FromSeconds(10));
                    return Body("once");
                });
            },
            TestContext.Current.CancellationToken,
            TaskCreationOptions.LongRunning, // a thread each: all callers are in the cache at once
            TaskScheduler.Default)).ToArray();

        // Release the build only once every caller is blocked inside GetOrBuild: one in the build, the others
        // waiting for it (or, were misses not shared, in builds of their own).
        await Eventually.TrueAsync(
            () => Volatile.Read(ref builds) > 0
                && threads.Count == callers
                && threads.All(t => (t.ThreadState & ThreadState.WaitSleepJoin) != 0),
            "every caller blocked inside GetOrBuild");
        release.Set();
        var bodies = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(1, builds);
        Assert.All(bodies, b => Assert.Same(bodies[0], b));
    }

    [Fact]
    public void FailedBuild_IsNotKept()
    {
        var cache = new ResponseBodyCache(16, long.MaxValue);

        Assert.Throws<InvalidOperationException>(() =>
            cache.GetOrBuild<int>(1, 0, 4, 0, _ => throw new InvalidOperationException("broken")));
        var retried = cache.GetOrBuild(1, 0, 4, 0, _ => Body("fine"));

        Assert.Equal(Body("fine"), retried.Bytes);
    }
}
