using System.Diagnostics;
using Xunit;

namespace Innernet.Testing;

/// <summary>
/// Waits for a condition that background work makes true (polling, bounded): a wait-until, not a sleep. It is the
/// one polling loop of the tests; a test that can wait on an event instead (a process exit, a task) does that.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Returns once <paramref name="condition"/> holds; fails the test with <paramref name="what"/> after
    /// <paramref name="timeout"/> (10 s when null).
    /// </summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(condition, () => $"waiting for {what}", timeout);

    /// <summary>
    /// Returns once <paramref name="condition"/> holds; after <paramref name="timeout"/> (10 s when null) fails the test
    /// with the message <paramref name="failure"/> builds then (so it can show the state that did not come about).
    /// </summary>
    public static async Task TrueAsync(Func<bool> condition, Func<string> failure, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var limit = timeout ?? DefaultTimeout;
        if (!await UntilAsync(condition, limit, DefaultPoll, CancellationToken.None))
        {
            Assert.Fail($"timed out after {limit.TotalSeconds:0.#} s {failure()}");
        }
    }

    /// <summary>The blocking form of <see cref="TrueAsync(Func{bool}, string, TimeSpan?)"/>, for synchronous tests.</summary>
    public static void True(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        if (!Until(condition, limit))
        {
            Assert.Fail($"timed out after {limit.TotalSeconds:0.#} s waiting for {what}");
        }
    }

    /// <summary>
    /// Polls <paramref name="condition"/> every <paramref name="poll"/> until it holds (true) or
    /// <paramref name="timeout"/> passes (false); for callers that fail with their own message or check more afterwards.
    /// </summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout, TimeSpan poll, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(poll, ct).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>The blocking form of <see cref="UntilAsync"/> (polling every 5 ms unless <paramref name="poll"/> says otherwise).</summary>
    public static bool Until(Func<bool> condition, TimeSpan timeout, TimeSpan? poll = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var interval = poll ?? DefaultPoll;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(interval);
        }

        return true;
    }
}
