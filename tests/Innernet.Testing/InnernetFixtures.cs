namespace Innernet.Testing;

/// <summary>Paths of the files innernet 1.7.1 wrote (tests/Innernet.Testing/Fixtures/innernet-1.7.1, see its README).</summary>
public static class InnernetFixtures
{
    /// <summary>The fixture directory next to the test assembly.</summary>
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "innernet-1.7.1");

    /// <summary>The network's name (and the server's interface) in the fixture.</summary>
    public const string Network = "fxnet";

    /// <summary>The client's interface name in the fixture.</summary>
    public const string ClientInterface = "fxp1";

    /// <summary>innernet's server config directory.</summary>
    public static string ServerConfigDirectory => Path.Combine(Root, "server", "conf");

    /// <summary>innernet's server data directory (the SQLite database).</summary>
    public static string ServerDataDirectory => Path.Combine(Root, "server", "data");

    /// <summary>The server's SQLite database.</summary>
    public static string ServerDatabase => Path.Combine(ServerDataDirectory, Network + ".db");

    /// <summary>The server's config file.</summary>
    public static string ServerConfig => Path.Combine(ServerConfigDirectory, Network + ".conf");

    /// <summary>The client's config file.</summary>
    public static string ClientConfig => Path.Combine(Root, "client", "conf", ClientInterface + ".conf");

    /// <summary>The client's data store (cache with key pins).</summary>
    public static string ClientData => Path.Combine(Root, "client", "data", ClientInterface + ".json");

    /// <summary>A recorded API answer, e.g. <c>user-state.json</c>.</summary>
    public static string Api(string file) => Path.Combine(Root, "api", file);
}
