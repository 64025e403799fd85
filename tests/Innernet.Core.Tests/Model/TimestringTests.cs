using Innernet.Core.Model;

namespace Innernet.Core.Tests.Model;

public sealed class TimestringTests
{
    [Theory]
    [InlineData("30d", 30 * 86400L)]
    [InlineData("2h", 7200L)]
    [InlineData("1s", 1L)]
    [InlineData("60m", 3600L)]
    [InlineData("7w", 7 * 7 * 86400L)]
    [InlineData("1000s", 1000L)]
    [InlineData("0s", 0L)]
    public void Parse_Valid_GivesDuration(string text, long seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), Timestring.Parse(text));

    [Theory]
    [InlineData("", "too short")]
    [InlineData("d", "too short")]
    [InlineData("5", "too short")]
    [InlineData("10", "unknown unit '0'")]
    [InlineData("5y", "unknown unit 'y'")]
    [InlineData("xd", "whole number")]
    [InlineData("-5d", "whole number")]
    [InlineData("1.5h", "whole number")]
    [InlineData("99999999999999999w", "too long")]
    public void Parse_Invalid_ExplainsWhy(string text, string expected)
    {
        var e = Assert.Throws<ValidationException>(() => Timestring.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.False(Timestring.TryParse(text, out _));
    }
}
