using System.Globalization;
using Innernet.Core;
using Npgsql;

namespace Innernet.Server.PostgreSql;

/// <summary>
/// The <c>[database] connection</c> setting (and <c>--database</c>): a libpq-style URI
/// (<c>postgresql://innernet@/innernet?host=/run/postgresql</c>) or Npgsql keywords
/// (<c>Host=/run/postgresql;Database=innernet;Username=innernet</c>). A password is refused in either form: it would end up
/// in a config file, on a command line (<c>ps</c>) or in a log. Npgsql takes it from <c>PGPASSWORD</c>, from
/// <c>Passfile=</c>/<c>PGPASSFILE</c> or <c>~/.pgpass</c>; peer authentication over the Unix socket needs none.
/// </summary>
public static class PostgreSqlConnectionString
{
    /// <summary>The prefixes of the URI form.</summary>
    private static readonly string[] UriSchemes = ["postgresql://", "postgres://"];

    /// <summary>Whether <paramref name="text"/> looks like a PostgreSQL connection (URI or keywords) rather than a file path.</summary>
    public static bool IsUri(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return UriSchemes.Any(s => text.StartsWith(s, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Parses the setting into Npgsql's form, with durable commits and the application name set.</summary>
    /// <exception cref="ValidationException">Not a connection string, or it holds a password.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = IsUri(text) ? FromUri(text) : new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException e)
        {
            throw new ValidationException($"database connection: {e.Message}", e);
        }

        if (!string.IsNullOrEmpty(builder.Password))
        {
            throw new ValidationException(
                "database connection: a password does not belong in the connection (it would show in the config, in ps or in logs); "
                + "use peer authentication, a passfile (Passfile=..., PGPASSFILE or ~/.pgpass) or PGPASSWORD in the environment");
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new ValidationException("database connection: no host (a Unix socket directory such as /run/postgresql, or a host name)");
        }

        builder.ApplicationName ??= "innernet-server";

        // Every acknowledged write must be on the server's disk: whatever the server's default, this session's commits wait
        // for the WAL flush.
        const string durable = "-c synchronous_commit=on";
        builder.Options = string.IsNullOrEmpty(builder.Options) ? durable : builder.Options + " " + durable;
        return builder;
    }

    /// <summary>What a message may show of the connection: database, user and host, never a secret.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string port = builder.Port == NpgsqlConnection.DefaultPort
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $":{builder.Port}");
        string user = string.IsNullOrEmpty(builder.Username) ? string.Empty : builder.Username + "@";
        string database = builder.Database ?? builder.Username ?? Environment.UserName;
        return $"postgresql://{user}{builder.Host}{port}/{database}";
    }

    /// <summary>
    /// <c>postgresql://[user[:password]@][host][:port][/database][?param=value&amp;...]</c>, libpq's URI form; an empty host
    /// with <c>?host=/dir</c> is a Unix socket directory. Parameters: host, port, user, dbname, passfile, sslmode,
    /// application_name, options.
    /// </summary>
    private static NpgsqlConnectionStringBuilder FromUri(string text)
    {
        string rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string query = string.Empty;
        int q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        string path = string.Empty;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            path = rest[(slash + 1)..];
            rest = rest[..slash];
        }

        var builder = new NpgsqlConnectionStringBuilder();
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = rest[..at];
            rest = rest[(at + 1)..];
            int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Unescape(colon >= 0 ? userInfo[..colon] : userInfo);
            if (colon >= 0)
            {
                builder.Password = Unescape(userInfo[(colon + 1)..]);
            }
        }

        if (rest.Length > 0)
        {
            int colon = rest.LastIndexOf(':');
            if (colon >= 0 && !rest.EndsWith(']'))
            {
                builder.Port = ParsePort(rest[(colon + 1)..]);
                rest = rest[..colon];
            }

            builder.Host = Unescape(rest.Trim('[', ']'));
        }

        if (path.Length > 0)
        {
            builder.Database = Unescape(path);
        }

        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = eq >= 0 ? pair[..eq] : pair;
            string value = eq >= 0 ? Unescape(pair[(eq + 1)..]) : string.Empty;
            switch (key)
            {
                case "host": builder.Host = value; break;
                case "port": builder.Port = ParsePort(value); break;
                case "user": builder.Username = value; break;
                case "dbname": builder.Database = value; break;
                case "password": builder.Password = value; break;
                case "passfile": builder.Passfile = value; break;
                case "sslmode": builder["SSL Mode"] = value; break;
                case "application_name": builder.ApplicationName = value; break;
                case "options": builder.Options = value; break;
                default: throw new ArgumentException($"unknown URI parameter '{key}'");
            }
        }

        return builder;
    }

    private static int ParsePort(string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= ushort.MaxValue
            ? port
            : throw new ArgumentException($"invalid port '{text}'");

    private static string Unescape(string text) => Uri.UnescapeDataString(text);
}
