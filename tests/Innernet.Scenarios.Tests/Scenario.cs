using System.Diagnostics;

namespace Innernet.Scenarios.Tests;

/// <summary>
/// Base of every scenario: the backend it runs on, the prerequisites that backend needs (skip locally, fail under
/// CI=true), and a log that reaches both the test's output and the runner's console.
/// </summary>
public abstract class Scenario
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    protected Scenario(ScenarioBackend backend)
    {
        Backend = backend;
    }

    protected ScenarioBackend Backend { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Checks the prerequisites and creates a network (caller disposes it).</summary>
    protected InnernetNetwork NewNetwork(string cidr)
    {
        if (Backend == ScenarioBackend.Kernel)
        {
            Prerequisites.RequireKernelWireGuard();
        }
        else
        {
            Prerequisites.RequireWireGuardGo();
        }

        return new InnernetNetwork(Backend, cidr, Log);
    }

    /// <summary>
    /// Measures the matrix and compares it with the rule over the server's current lists (or <paramref name="state"/>, e.g. read
    /// through a replica); returns the reachable pairs.
    /// </summary>
    protected async Task<IReadOnlySet<string>> AssertPingMatrixAsync(InnernetNetwork net, string[] machines, string situation,
        ServerState? state = null)
    {
        state ??= net.ReadState();
        var rule = state.Rule;
        string RuleName(string m) => m == "server" ? rule.ServerName : m;
        bool Expected(string from, string to) => rule.CanPing(RuleName(from), RuleName(to));

        var actual = await net.PingMatrixAsync(machines, Ct);
        string expectedText = InnernetNetwork.FormatMatrix(machines, Expected);
        string actualText = InnernetNetwork.FormatMatrix(machines, (a, b) => actual.Contains($"{a}→{b}"));
        Log($"associations [{string.Join(", ", state.AssociationNames())}] — {situation}\n{actualText}");
        Assert.True(expectedText == actualText,
            $"{situation}: the ping matrix differs from the visibility rule.\nexpected:\n{expectedText}\n"
            + $"actual:\n{actualText}\n{net.DescribeWireGuard()}\n{net.ServerLog()}");
        return actual;
    }

    /// <summary>What the scenario checked, with the time since the test started.</summary>
    protected void Log(string line)
    {
        string text = $"[{_clock.Elapsed.TotalSeconds,5:0.0}s {Backend}] {line}";
        TestContext.Current.TestOutputHelper?.WriteLine(text);
        TestContext.Current.SendDiagnosticMessage(text);
        Console.WriteLine(text);
    }
}
