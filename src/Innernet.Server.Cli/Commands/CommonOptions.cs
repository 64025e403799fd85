using System.CommandLine;
using Innernet.Cli;

namespace Innernet.Server.Commands;

/// <summary>Option and argument factories shared by several verbs (each verb gets its own instances).</summary>
internal static class CommonOptions
{
    public static Argument<string> Interface() => new("interface") { Description = "The network (WireGuard interface) name" };

    public static Option<bool> Yes() => new("--yes") { Description = "Do not ask for confirmation" };

    public static Option<bool> Json() => ListingJson.Option();

    public static Option<string> Name(string description) => new("--name") { Description = description };

    /// <summary>
    /// <c>--database</c>: a PostgreSQL connection (a <c>postgresql://</c> URI or Npgsql keywords; never a password: peer
    /// authentication, a passfile or PGPASSWORD).
    /// </summary>
    public static Option<string> Database(string description) => new("--database") { Description = description };

    public static Option<string> NewName(string description) => new("--new-name") { Description = description };
}
