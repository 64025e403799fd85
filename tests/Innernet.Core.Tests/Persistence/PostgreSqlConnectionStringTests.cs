using Innernet.Server.PostgreSql;

namespace Innernet.Core.Tests.Persistence;

/// <summary>The <c>[database] connection</c> setting: both forms, durable commits forced, never a password.</summary>
public sealed class PostgreSqlConnectionStringTests
{
    [Fact]
    public void Parse_UriWithSocketDirectory_GivesNpgsqlsFormWithDurableCommits()
    {
        var builder = PostgreSqlConnectionString.Parse(
            "postgresql://innernet@/net%2Done?host=/run/postgresql&passfile=/etc/innernet-server/pgpass");

        Assert.Equal(("/run/postgresql", "innernet", "net-one", "/etc/innernet-server/pgpass"),
            (builder.Host, builder.Username, builder.Database, builder.Passfile));
        Assert.Equal("-c synchronous_commit=on", builder.Options);
        Assert.Equal("postgresql://innernet@/run/postgresql/net-one", PostgreSqlConnectionString.Describe(builder));
    }

    [Fact]
    public void Parse_UriWithHostAndPort_AndKeywords_AreAccepted()
    {
        var uri = PostgreSqlConnectionString.Parse("postgres://db.example:6543/innernet?sslmode=require");
        var keywords = PostgreSqlConnectionString.Parse("Host=/run/postgresql;Database=innernet;Options=-c statement_timeout=5000");

        Assert.Equal(("db.example", 6543), (uri.Host, uri.Port));
        Assert.Equal("-c statement_timeout=5000 -c synchronous_commit=on", keywords.Options);
    }

    [Theory]
    [InlineData("postgresql://innernet:hunter2@/innernet?host=/run/postgresql")]
    [InlineData("postgresql://innernet@/innernet?host=/run/postgresql&password=hunter2")]
    [InlineData("Host=/run/postgresql;Username=innernet;Password=hunter2")]
    public void Parse_Password_IsRefusedWithoutRepeatingIt(string connection)
    {
        var e = Assert.Throws<ValidationException>(() => PostgreSqlConnectionString.Parse(connection));

        Assert.Contains("a password does not belong in the connection", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgresql:///innernet", "no host")]
    [InlineData("postgresql://h/innernet?colour=blue", "unknown URI parameter")]
    [InlineData("postgresql://h:99999/innernet", "invalid port")]
    public void Parse_Invalid_ThrowsValidation(string connection, string expected)
    {
        var e = Assert.Throws<ValidationException>(() => PostgreSqlConnectionString.Parse(connection));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
