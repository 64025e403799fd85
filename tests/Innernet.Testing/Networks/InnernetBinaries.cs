namespace Innernet.Testing.Networks;

/// <summary>
/// The built commands the scenarios drive: <c>innernet-server</c> and <c>inn</c> from
/// artifacts/build/bin/&lt;project&gt;/release/ above the test assembly, or <c>$INNERNET_SERVER_BINARY</c> /
/// <c>$INN_BINARY</c> when set.
/// </summary>
public static class InnernetBinaries
{
    public static string Server => Find("INNERNET_SERVER_BINARY", "Innernet.Server.Cli", "innernet-server");

    public static string Client => Find("INN_BINARY", "Innernet.Client.Cli", "inn");

    private static string Find(string variable, string project, string binary)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured)
        {
            return configured;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Innernet.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new FileNotFoundException($"no Innernet.sln above {AppContext.BaseDirectory}: set {variable} to the built {binary}");
        }

        string path = Path.Combine(dir.FullName, "artifacts/build/bin", project, "release", binary);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution in Release first (./build.sh build)", path);
    }
}
