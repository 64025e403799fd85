using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Innernet.Server.Serve;

/// <summary>
/// Where <c>serve</c>'s start-up time goes, for its log: the runtime's own start (process start to the first mark's
/// clock) and each step since the previous mark, in milliseconds.
/// </summary>
internal sealed class StartupTimings
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly TimeSpan _runtime;
    private readonly List<(string Step, TimeSpan Took)> _steps = [];
    private long _last;

    public StartupTimings()
    {
        _last = _started;
        using var self = Process.GetCurrentProcess();
        _runtime = DateTime.Now - self.StartTime;
    }

    /// <summary>Ends the step called <paramref name="step"/> now.</summary>
    public void Mark(string step)
    {
        long now = Stopwatch.GetTimestamp();
        _steps.Add((step, Stopwatch.GetElapsedTime(_last, now)));
        _last = now;
    }

    /// <summary>"1234 ms: runtime and CLI 300, store 100, …".</summary>
    public override string ToString()
    {
        var total = _runtime + Stopwatch.GetElapsedTime(_started, _last);
        var sb = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{total.TotalMilliseconds:0} ms: runtime and CLI {_runtime.TotalMilliseconds:0}");
        foreach (var (step, took) in _steps)
        {
            sb.Append(CultureInfo.InvariantCulture, $", {step} {took.TotalMilliseconds:0}");
        }

        return sb.ToString();
    }
}
