namespace Innernet.Client.Tests.Fakes;

/// <summary>A clock that only moves when told; <see cref="Delay"/> advances it instead of sleeping.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public List<TimeSpan> Delays { get; } = [];

    /// <summary>Called after each delay (tests simulate events at a given time).</summary>
    public Action? AfterDelay { get; set; }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan span) => _now += span;

    public Task Delay(TimeSpan span, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Delays.Add(span);
        _now += span;
        AfterDelay?.Invoke();
        return Task.CompletedTask;
    }
}
