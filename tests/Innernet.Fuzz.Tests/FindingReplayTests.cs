using Innernet.Testing.Fuzzing;

namespace Innernet.Fuzz.Tests;

/// <summary>
/// Every input the fuzzers ever found (Fixtures/&lt;target&gt;/*) is replayed: each must now be accepted or
/// rejected with the documented exception. Each file failed before its fix.
/// </summary>
public sealed class FindingReplayTests
{
    private static string FixturesDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static TheoryData<string, string> Findings()
    {
        var data = new TheoryData<string, string>();
        foreach (string dir in Directory.GetDirectories(FixturesDirectory).Order(StringComparer.Ordinal))
        {
            foreach (string file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(dir), Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Findings))]
    public void Finding_Replayed_KeepsTheContract(string target, string file)
    {
        var fuzzTarget = FuzzTargets.Find(target);
        Assert.NotNull(fuzzTarget);
        byte[] input = File.ReadAllBytes(Path.Combine(FixturesDirectory, target, file));

        string? problem = FuzzCampaign.Check(fuzzTarget, input, out _);

        Assert.Null(problem);
    }

    [Fact]
    public void Fixtures_EveryFolder_NamesATarget()
    {
        var folders = Directory.GetDirectories(FixturesDirectory).Select(Path.GetFileName).ToList();

        Assert.NotEmpty(folders);
        Assert.All(folders, f => Assert.Contains(f, FuzzTargets.Names));
    }
}
