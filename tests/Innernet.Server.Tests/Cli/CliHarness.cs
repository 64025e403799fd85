using Innernet.Cli;
using Innernet.Server.Cli;

namespace Innernet.Server.Tests.Cli;

/// <summary>
/// Runs <c>innernet-server</c> in-process against a private temp directory (config, data, invitations), with
/// captured output, no terminal (every missing value is an error), a configurable root check and fake WireGuard.
/// </summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Root = Path.Combine(Path.GetTempPath(), "inn-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Interface = "inn" + Guid.NewGuid().ToString("N")[..6];
    }

    public string Root { get; }

    public string Interface { get; }

    public string ConfigDir => Path.Combine(Root, "etc");

    public string DataDir => Path.Combine(Root, "lib");

    public string ConfigFile => Path.Combine(ConfigDir, Interface + ".conf");

    public string Database => Path.Combine(DataDir, Interface + ".db");

    public bool IsRoot { get; set; } = true;

    public InMemoryWireGuard WireGuard { get; } = new();

    public string File(string name) => Path.Combine(Root, name);

    /// <summary>Runs with <c>-c/-d</c> appended (after the verb: the global options are recursive).</summary>
    public async Task<CliRun> RunAsync(params string[] args)
        => await RunRawAsync([.. args, "-c", ConfigDir, "-d", DataDir]);

    public async Task<CliRun> RunRawAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext
        {
            Out = output,
            Error = error,
            Prompter = NoTerminalPrompter.Instance,
            IsRoot = () => IsRoot,
            OpenWireGuard = _ => WireGuard,
        };
        int code = await ServerCommandLine.InvokeAsync(args, context, handleTermination: false, TestContext.Current.CancellationToken);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary><c>new</c> + an <c>humans</c> CIDR 10.66.1.0/24: the docker tests' recipe.</summary>
    public async Task CreateNetworkAsync(string endpoint = "198.18.0.1:51820")
    {
        (await RunAsync("new", "--network-name", Interface, "--network-cidr", "10.66.0.0/16", "--external-endpoint", endpoint,
            "--listen-port", "51820"))
            .AssertOk();
        (await RunAsync("add-cidr", Interface, "--name", "humans", "--cidr", "10.66.1.0/24", "--parent", Interface, "--yes")).AssertOk();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
