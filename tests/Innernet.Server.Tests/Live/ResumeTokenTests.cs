using Innernet.Server.Api.Live;

namespace Innernet.Server.Tests.Live;

/// <summary><see cref="ResumeToken"/>: what a client sends back as <c>since</c> is read only when it is ours.</summary>
public sealed class ResumeTokenTests
{
    private const string Epoch = "0123456789abcdef";

    [Fact]
    public void Parse_OwnToken_GivesItsSequence() => Assert.Equal(42, ResumeToken.Parse(Epoch + "-42", Epoch));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123456789abcdef")]
    [InlineData("0123456789abcdef-")]
    [InlineData("fedcba9876543210-42")]
    [InlineData("0123456789abcdef+42")]
    [InlineData("0123456789abcdef--42")]
    [InlineData("0123456789abcdef-4 2")]
    [InlineData("0123456789abcdef-99999999999999999999")]
    [InlineData("0123456789abcdef-٤٢")]
    public void Parse_AnythingElse_IsUnknown(string? token) => Assert.Null(ResumeToken.Parse(token, Epoch));

    [Fact]
    public void Parse_LongerThanAVersionMayBe_IsUnknown()
        => Assert.Null(ResumeToken.Parse(Epoch + "-" + new string('1', StateUpdate.MaxVersionLength), Epoch));

    [Fact]
    public void NewEpoch_DiffersBetweenRuns_AndFormatsIntoAValidVersion()
    {
        string first = ResumeToken.NewEpoch();
        string token = ResumeToken.Format(first, long.MaxValue);

        Assert.NotEqual(first, ResumeToken.NewEpoch());
        Assert.True(token.Length <= StateUpdate.MaxVersionLength);
        Assert.All(token, c => Assert.InRange(c, '!', '~'));
    }
}
