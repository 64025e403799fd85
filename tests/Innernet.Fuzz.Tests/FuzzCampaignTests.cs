using System.Text;
using Innernet.Testing.Fuzzing;

namespace Innernet.Fuzz.Tests;

/// <summary>The campaign runner reports what breaks the contract: a foreign exception, a broken property, a hang.</summary>
public sealed class FuzzCampaignTests
{
    private static FuzzTarget Target(Action<byte[]> run) => new()
    {
        Name = "test-target",
        Description = "test",
        Seeds = () => [Encoding.ASCII.GetBytes("hello world")],
        Dictionary = [],
        Run = run,
        IsDocumented = e => e is FormatException,
    };

    [Fact]
    public void Run_OnlyDocumentedExceptions_NoFinding()
    {
        var report = FuzzCampaign.Run(Target(b => _ = b.Length % 2 == 0 ? throw new FormatException() : 0), 1, 500,
            TimeSpan.FromSeconds(5));

        Assert.Null(report.Finding);
        Assert.Equal(500, report.Inputs);
        Assert.Equal(500, report.Accepted + report.Rejected);
        Assert.True(report.Accepted > 0 && report.Rejected > 0);
    }

    [Fact]
    public void Run_ForeignException_FindingWithSeedIndexAndSavedInput()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"fuzz-findings-{Guid.NewGuid():N}");
        try
        {
            var report = FuzzCampaign.Run(Target(b => _ = b.Length > 11 ? b[int.MaxValue / 2] : 0), 5, 10_000, TimeSpan.FromSeconds(5),
                dir);

            var finding = Assert.IsType<FuzzFinding>(report.Finding);
            Assert.Contains("IndexOutOfRangeException", finding.Problem, StringComparison.Ordinal);
            Assert.True(finding.Input.Length > 11);
            Assert.Equal(finding.Input, new MutationEngine(5, [Encoding.ASCII.GetBytes("hello world")], []).Input(finding.Index));
            Assert.Equal(Path.Combine(dir, $"test-target-seed5-{finding.Index}.bin"), finding.SavedTo);
            Assert.Equal(finding.Input, File.ReadAllBytes(finding.SavedTo!));
            Assert.Contains("seed 5", finding.ToString(), StringComparison.Ordinal);
            Assert.Contains(Convert.ToHexString(finding.Input.AsSpan(0, 11)), finding.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void Run_BrokenProperty_IsAFindingEvenThoughTheTypeIsNotDocumented()
    {
        var target = Target(_ => throw new FuzzPropertyException("round trip"));

        var report = FuzzCampaign.Run(target, 1, 10, TimeSpan.FromSeconds(5));

        Assert.NotNull(report.Finding);
        Assert.Equal(0, report.Finding.Index);
    }

    [Fact]
    public void Run_InputThatNeverReturns_ReportedAsHang()
    {
        using var release = new ManualResetEventSlim();
        var target = Target(b =>
        {
            if (b.Length > 11)
            {
                release.Wait();
            }
        });
        try
        {
            var report = FuzzCampaign.Run(target, 1, 10_000, TimeSpan.FromMilliseconds(300));

            var finding = Assert.IsType<FuzzFinding>(report.Finding);
            Assert.Contains("hang", finding.Problem, StringComparison.Ordinal);
            Assert.True(finding.Input.Length > 11);
        }
        finally
        {
            release.Set();
        }
    }
}
