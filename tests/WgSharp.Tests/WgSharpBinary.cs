using Innernet.Testing.Networks;

namespace WgSharp.Tests;

/// <summary>
/// The sample as a user runs it: <c>$WGSHARP_BINARY</c> when set, else the apphost in
/// artifacts/build/bin/WgSharp/release/ above the test assembly (what <c>./build.sh build</c> writes).
/// </summary>
internal static class WgSharpBinary
{
    public const string Variable = "WGSHARP_BINARY";

    public static string Path
    {
        get
        {
            if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
            {
                return configured;
            }

            string root = InnernetBinaries.RepositoryRoot()
                ?? throw new FileNotFoundException($"no Innernet.sln above {AppContext.BaseDirectory}: set {Variable}");
            string path = System.IO.Path.Combine(root, "artifacts/build/bin/WgSharp/release/WgSharp");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first", path);
        }
    }
}
