using Innernet.Testing.Fuzzing;

namespace Innernet.Fuzz.Tests;

/// <summary>
/// The unit-layer mutation campaign: every parser that reads files or the network gets
/// <see cref="FuzzSettings.DefaultInputs"/> mutated inputs and may only return a value (whose properties hold)
/// or throw its documented exception, each input within <see cref="FuzzSettings.PerInputBound"/>. One class
/// per group so xunit runs the groups in parallel.
/// </summary>
public abstract class ParserFuzzTestsBase(ITestOutputHelper output)
{
    protected void Campaign(string target)
    {
        var report = FuzzCampaign.Run(FuzzTargets.Find(target)!, FuzzSettings.Seed, FuzzSettings.Inputs, FuzzSettings.PerInputBound);
        output.WriteLine(report.ToString());
        if (report.Finding is { } finding)
        {
            Assert.Fail(finding.ToString());
        }

        Assert.Equal(FuzzSettings.Inputs, report.Inputs);

        // A campaign that never gets past the parser (or never fails it) mutates too much (or too little).
        Assert.True(report.Accepted > 0, $"no input was accepted: {report}");
        Assert.True(report.Rejected > 0, $"no input was rejected: {report}");
    }
}

public sealed class UapiFuzzTests(ITestOutputHelper output) : ParserFuzzTestsBase(output)
{
    [Theory]
    [InlineData("uapi-get")]
    [InlineData("uapi-set")]
    public void Parser_MutatedInputs_ReturnOrThrowDocumentedException(string target) => Campaign(target);
}

public sealed class ConfigFuzzTests(ITestOutputHelper output) : ParserFuzzTestsBase(output)
{
    [Theory]
    [InlineData("client-config")]
    [InlineData("invitation")]
    [InlineData("server-config")]
    public void Parser_MutatedInputs_ReturnOrThrowDocumentedException(string target) => Campaign(target);
}

public sealed class ClientFilesFuzzTests(ITestOutputHelper output) : ParserFuzzTestsBase(output)
{
    [Theory]
    [InlineData("datastore")]
    [InlineData("hosts")]
    [InlineData("replicas-header")]
    [InlineData("replicas-file")]
    public void Parser_MutatedInputs_ReturnOrThrowDocumentedException(string target) => Campaign(target);
}

public sealed class NetlinkFuzzTests(ITestOutputHelper output) : ParserFuzzTestsBase(output)
{
    [Fact]
    public void WireGuardDumpParser_MutatedDatagrams_ReturnOrThrowDocumentedException() => Campaign("wg-dump");
}

public sealed class ApiBodyFuzzTests(ITestOutputHelper output) : ParserFuzzTestsBase(output)
{
    [Theory]
    [InlineData("api-peer")]
    [InlineData("api-cidr")]
    [InlineData("api-association")]
    [InlineData("api-redeem")]
    [InlineData("api-endpoint")]
    [InlineData("api-candidates")]
    public void Parser_MutatedInputs_ReturnOrThrowDocumentedException(string target) => Campaign(target);
}
