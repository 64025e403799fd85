using Innernet.Core.Model;

namespace Innernet.Core.Tests.Model;

public sealed class NetworkNameTests
{
    [Theory]
    [InlineData("evilcorp", true)]
    [InlineData("abcdefghijklmno", true)]
    [InlineData("abcdefghijklmnop", false)]
    [InlineData("Evil", false)]
    [InlineData("-x", false)]
    public void IsValid_HostnameAndInterfaceRules(string name, bool expected) => Assert.Equal(expected, NetworkName.IsValid(name));

    [Fact]
    public void Validate_TooLong_MentionsInterfaceName()
    {
        var e = Assert.Throws<ValidationException>(() => NetworkName.Validate("abcdefghijklmnop"));
        Assert.Contains("interface name", e.Message, StringComparison.Ordinal);
        Assert.Contains("15", e.Message, StringComparison.Ordinal);
    }
}
