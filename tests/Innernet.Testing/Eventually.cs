using System.Diagnostics;
using Xunit;

namespace Innernet.Testing;

/// <summary>Waits for a condition that background work makes true (polling, bounded): a wait-until, not a sleep.</summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

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
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(failure);
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds:0.#} s {failure()}");
            }

            await Task.Delay(Poll);
        }
    }
}
