using System.Text;
using Innernet.Testing.Fuzzing;

namespace Innernet.Fuzz.Tests;

public sealed class MutationEngineTests
{
    private static readonly byte[][] Seeds = [Encoding.ASCII.GetBytes("key = \"value\"\nport = 51820\n"),
        Encoding.ASCII.GetBytes("{\"a\": [1, 2]}")];

    [Fact]
    public void Input_SameSeedAndIndex_SameBytes()
    {
        var first = new MutationEngine(7, Seeds, ["[x]"]);
        var second = new MutationEngine(7, Seeds, ["[x]"]);

        // Out of order on purpose: an input depends on (seed, index) only, not on what was generated before.
        Assert.Equal(first.Input(12345), second.Input(12345));
        Assert.Equal(first.Input(3), second.Input(3));
    }

    [Fact]
    public void Input_DifferentCampaignSeeds_DifferentInputs()
    {
        var a = new MutationEngine(1, Seeds, []);
        var b = new MutationEngine(2, Seeds, []);

        int same = Enumerable.Range(1, 200).Count(i => a.Input(i).AsSpan().SequenceEqual(b.Input(i)));

        Assert.True(same < 20, $"{same} of 200 inputs equal");
    }

    [Fact]
    public void Input_ManyIndexes_CoverTheMutationKinds()
    {
        var engine = new MutationEngine(3, Seeds, ["TOKEN"]);
        var inputs = Enumerable.Range(0, 5000).Select(i => engine.Input(i)).ToList();
        var seedSet = Seeds.Select(Convert.ToHexString).ToHashSet();

        Assert.Contains(inputs, i => seedSet.Contains(Convert.ToHexString(i)));                       // seeds as they are
        Assert.Contains(inputs, i => i.Length > 10_000);                                               // long lines / nesting
        Assert.Contains(inputs, i => i.Length < Seeds[1].Length);                                      // truncation
        Assert.Contains(inputs, i => Encoding.ASCII.GetString(i).Contains("TOKEN", StringComparison.Ordinal)); // dictionary
        Assert.Contains(inputs, i => Encoding.ASCII.GetString(i).Contains("18446744073709551616", StringComparison.Ordinal));
        Assert.Contains(inputs, i => Encoding.ASCII.GetString(i).Contains("[[[[[[[[[[", StringComparison.Ordinal));
        Assert.All(inputs, i => Assert.InRange(i.Length, 0, MutationEngine.MaxInputLength));
    }
}
