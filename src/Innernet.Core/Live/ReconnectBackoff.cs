namespace Innernet.Core.Live;

/// <summary>
/// The wait before reconnecting the state stream: exponential from <see cref="Initial"/> doubling to
/// <see cref="Maximum"/>, each wait drawn uniformly from its upper half ("equal jitter"), so clients that lost the
/// server together do not all come back in the same second. <see cref="Reset"/> after a healthy stream. Not
/// thread-safe.
/// </summary>
public sealed class ReconnectBackoff
{
    /// <summary>The first wait's upper bound.</summary>
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);

    /// <summary>The largest wait.</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromSeconds(60);

    private readonly Random _random;
    private TimeSpan _bound = Initial;

    /// <param name="random">The jitter's source (tests pass a seeded one); default <see cref="Random.Shared"/>.</param>
    public ReconnectBackoff(Random? random = null) => _random = random ?? Random.Shared;

    /// <summary>The next wait: in [bound/2, bound], then the bound doubles (at most <see cref="Maximum"/>).</summary>
    public TimeSpan Next()
    {
        var bound = _bound;
        _bound = bound * 2 < Maximum ? bound * 2 : Maximum;
        return (bound / 2) + (bound / 2 * _random.NextDouble());
    }

    /// <summary>Starts again from <see cref="Initial"/>.</summary>
    public void Reset() => _bound = Initial;
}
