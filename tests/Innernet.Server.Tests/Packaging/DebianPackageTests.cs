using Innernet.Testing.Networks;

namespace Innernet.Server.Tests.Packaging;

/// <summary>
/// The .deb packages of ./build.sh package, installed with <c>dpkg --root</c> into a throw-away root: the installed
/// commands run (<c>innernet-server new</c>, <c>inn --version</c>), the man pages cover every verb of the commands'
/// own help, the completions are valid shell; remove takes the package's files and leaves the network's config and
/// database, and nothing is started on install (no maintainer scripts).
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class DebianPackageTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "inn-deb-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public void Packages_InstallRunAndRemove_KeepConfigDropFiles()
    {
        Prerequisites.RequireRoot();
        Prerequisites.Require(Prerequisites.FindOnPath("dpkg") is not null, "needs dpkg");
        string[] debs = PackageFiles();
        Prerequisites.Require(debs.Length == 2,
            $"needs innernet-server_*.deb and innernet_*.deb in {PackageDirectory()} (./build.sh package)");
        string server = debs.Single(d => Path.GetFileName(d).StartsWith("innernet-server_", StringComparison.Ordinal));
        string client = debs.Single(d => d != server);
        string version = Dpkg("-f", client, "Version").StandardOutput.Trim();

        CreateDpkgDatabase();
        // Depends (libc6, libssl3) are the host's: the empty root has no package database entries for them.
        Dpkg("--root", _root, "--force-depends", "-i", server, client);
        Assert.Equal("install ok installed", Dpkg("--root", _root, "-s", "innernet-server").StandardOutput
            .Split('\n').Single(l => l.StartsWith("Status: ", StringComparison.Ordinal))["Status: ".Length..]);
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "var/lib/dpkg/info"), "*.postinst"));

        string serverBinary = Installed("usr/bin/innernet-server");
        string inn = Installed("usr/bin/inn");
        Assert.Equal("inn", new FileInfo(Installed("usr/bin/innernet")).LinkTarget);
        Assert.True(InnernetBinaries.IsNativeAot(serverBinary) && InnernetBinaries.IsNativeAot(inn),
            "the packages carry the Native AOT commands");
        Assert.StartsWith(version + "+", Run(inn, "--version").StandardOutput.Trim(), StringComparison.Ordinal);
        Assert.StartsWith(version + "+", Run(Installed("usr/bin/innernet"), "--version").StandardOutput.Trim(), StringComparison.Ordinal);

        string etc = Path.Combine(_root, "etc/innernet-server"), lib = Path.Combine(_root, "var/lib/innernet-server");
        Run(serverBinary, "new", "--network-name", "debtest", "--network-cidr", "10.98.0.0/16", "--external-endpoint", "192.0.2.1:51820",
            "--listen-port", "51820", "-c", etc, "-d", lib);
        Assert.Contains("debtest", Run(serverBinary, "list-cidrs", "debtest", "-c", etc, "-d", lib).StandardOutput,
            StringComparison.Ordinal);

        foreach (var (command, man) in new[] { (serverBinary, "innernet-server.8.gz"), (inn, "inn.8.gz") })
        {
            string page = Run("man", "-l", Installed("usr/share/man/man8/" + man)).StandardOutput;
            foreach (string verb in Verbs(command))
            {
                Assert.Contains(verb, page, StringComparison.Ordinal);
            }
        }

        foreach (string unit in new[] { "innernet-server@.service", "innernet@.service", "innernet.target" })
        {
            Installed("lib/systemd/system/" + unit);
        }

        Run("bash", "-n", Installed("usr/share/bash-completion/completions/innernet-server"));
        Run("bash", "-n", Installed("usr/share/bash-completion/completions/inn"));
        Installed("usr/share/zsh/vendor-completions/_innernet-server");
        Installed("usr/share/zsh/vendor-completions/_inn");
        Installed("usr/share/fish/vendor_completions.d/innernet.fish");

        string[] owned = [.. Dpkg("--root", _root, "-L", "innernet-server", "innernet").StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(p => File.Exists(_root + p))];
        Dpkg("--root", _root, "--purge", "innernet-server", "innernet");
        Assert.Contains("/usr/bin/inn", owned);
        Assert.All(owned, p => Assert.False(File.Exists(_root + p), $"{p} outlived the purge"));
        Assert.True(File.Exists(Path.Combine(etc, "debtest.conf")), "the network's config stays");
        Assert.NotEmpty(Directory.GetFiles(lib));
    }

    private static string PackageDirectory()
        => Environment.GetEnvironmentVariable("INNERNET_DEB_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(InnernetBinaries.RepositoryRoot() ?? ".", "artifacts/packages/deb");

    private static string[] PackageFiles()
    {
        string dir = PackageDirectory();
        string arch = Run("dpkg", "--print-architecture").StandardOutput.Trim();
        return Directory.Exists(dir) ? Directory.GetFiles(dir, $"*_{arch}.deb") : [];
    }

    /// <summary>The verbs listed under Commands: in the command's own --help.</summary>
    private static IEnumerable<string> Verbs(string command)
        => Run(command, "--help").StandardOutput.Split('\n').SkipWhile(l => l != "Commands:").Skip(1)
            .TakeWhile(l => l.Length > 0).Select(l => l.Trim().Split(' ', ',')[0]);

    private void CreateDpkgDatabase()
    {
        Directory.CreateDirectory(Path.Combine(_root, "var/lib/dpkg/info"));
        Directory.CreateDirectory(Path.Combine(_root, "var/lib/dpkg/updates"));
        File.WriteAllText(Path.Combine(_root, "var/lib/dpkg/status"), "");
        File.WriteAllText(Path.Combine(_root, "var/lib/dpkg/available"), "");
    }

    private string Installed(string relative)
    {
        string path = Path.Combine(_root, relative);
        Assert.True(File.Exists(path), $"{relative} is not installed");
        return path;
    }

    private static ProcessResult Dpkg(params string[] args) => Run("dpkg", args);

    private static ProcessResult Run(string program, params string[] args) => ProcessRunner.Run(program, args, Timeout).EnsureSuccess();

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
