using Innernet.Core.Live;

namespace Innernet.Client.Tests.Live;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Next_DoublesFromOneSecondToSixty_EachWaitInTheUpperHalf_AndResetStartsOver()
    {
        var backoff = new ReconnectBackoff(new Random(1));
        double[] bounds = [1, 2, 4, 8, 16, 32, 60, 60];

        var waits = bounds.Select(_ => backoff.Next().TotalSeconds).ToArray();
        backoff.Reset();
        double afterReset = backoff.Next().TotalSeconds;

        for (int i = 0; i < bounds.Length; i++)
        {
            Assert.InRange(waits[i], bounds[i] / 2, bounds[i]);
        }

        Assert.InRange(afterReset, 0.5, 1);
    }

    [Fact]
    public void Next_IsJittered_TwoClientsDrawDifferentWaits()
    {
        var a = new ReconnectBackoff(new Random(1));
        var b = new ReconnectBackoff(new Random(2));

        var first = Enumerable.Range(0, 6).Select(_ => a.Next()).ToArray();
        var second = Enumerable.Range(0, 6).Select(_ => b.Next()).ToArray();

        Assert.NotEqual(first, second);
    }
}
