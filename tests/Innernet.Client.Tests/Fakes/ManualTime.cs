using Microsoft.Extensions.Time.Testing;

namespace Innernet.Client.Tests.Fakes;

/// <summary>
/// The tests' one time fake (<see cref="FakeTimeProvider"/>) plus a delay to hand to code that waits: <see cref="Delay"/>
/// records the wait and advances the clock by it instead of sleeping, so the code runs at once and sees the time pass.
/// </summary>
internal sealed class ManualTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    public List<TimeSpan> Delays { get; } = [];

    /// <summary>Called after each delay (tests simulate events at a given time).</summary>
    public Action? AfterDelay { get; set; }

    public Task Delay(TimeSpan span, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Delays.Add(span);
        Advance(span);
        AfterDelay?.Invoke();
        return Task.CompletedTask;
    }
}
