namespace Innernet.Testing.Networks;

/// <summary>
/// The built commands the tests drive: <c>$INNERNET_SERVER_BINARY</c> / <c>$INN_BINARY</c> when set (./build.sh test
/// sets them to the Native AOT binaries of ./build.sh publish, so every layer runs the commands a user gets), else
/// <c>innernet-server</c> and <c>inn</c> from artifacts/build/bin/&lt;project&gt;/release/ above the test assembly.
/// </summary>
public static class InnernetBinaries
{
    public static string Server => Find("INNERNET_SERVER_BINARY", "Innernet.Server.Cli", "innernet-server");

    public static string Client => Find("INN_BINARY", "Innernet.Client.Cli", "inn");

    /// <summary>
    /// True when <paramref name="path"/> is a Native AOT executable: it exports the runtime's debug header
    /// (<c>DotNetRuntimeDebugHeader</c>), which an apphost that starts a JIT runtime does not have.
    /// </summary>
    public static bool IsNativeAot(string path)
    {
        ReadOnlySpan<byte> marker = "DotNetRuntimeDebugHeader"u8;
        byte[] bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().IndexOf(marker) >= 0;
    }

    /// <summary>The repository's root (the directory holding Innernet.sln above the test assembly), or null.</summary>
    public static string? RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Innernet.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName;
    }

    private static string Find(string variable, string project, string binary)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured)
        {
            return configured;
        }

        string root = RepositoryRoot()
            ?? throw new FileNotFoundException($"no Innernet.sln above {AppContext.BaseDirectory}: set {variable} to the built {binary}");
        string path = Path.Combine(root, "artifacts/build/bin", project, "release", binary);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution in Release first (./build.sh build)", path);
    }
}
