using Innernet.Core.Model;

namespace Innernet.Core.Tests.Model;

public sealed class HostnameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("laptop")]
    [InlineData("my-laptop-2")]
    [InlineData("0")]
    [InlineData("a-b-c-d")]
    [InlineData("innernet-server")]
    public void IsValid_GoodNames_True(string name)
    {
        Assert.True(Hostname.IsValid(name));
        Hostname.Validate(name);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("-a", "start or end")]
    [InlineData("a-", "start or end")]
    [InlineData("a--b", "consecutive")]
    [InlineData("Laptop", "'L'")]
    [InlineData("a_b", "'_'")]
    [InlineData("a.b", "'.'")]
    [InlineData("a b", "' '")]
    [InlineData("é", "'é'")]
    public void Validate_BadNames_ExplainsWhy(string name, string expected)
    {
        Assert.False(Hostname.IsValid(name));
        var e = Assert.Throws<ValidationException>(() => Hostname.Validate(name, "peer name"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("peer name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValid_Length63_TrueAnd64_False()
    {
        Assert.True(Hostname.IsValid(new string('a', 63)));
        Assert.False(Hostname.IsValid(new string('a', 64)));
    }

    [Fact]
    public void IsValid_Null_False() => Assert.False(Hostname.IsValid(null));

    [Fact]
    public void IsValid_AgreesWithSpecRegex_OnRandomStrings()
    {
        var regex = new System.Text.RegularExpressions.Regex("^([a-z0-9]-?)*[a-z0-9]$");
        var random = new Random(20240601);
        const string alphabet = "ab09-_A.";
        for (int i = 0; i < 5000; i++)
        {
            int length = random.Next(0, 70);
            string name = new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            bool expected = regex.IsMatch(name) && name.Length < 64;
            Assert.True(expected == Hostname.IsValid(name), $"'{name}'");
        }
    }
}
