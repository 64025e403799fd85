using System.CommandLine;
using Innernet.Core.Fetch;
using Innernet.Core.Interface;
using Innernet.Netlink.WireGuard;

namespace Innernet.Client.Cli;

/// <summary>
/// The global options, all recursive (accepted before or after the verb). A verb's own short option wins after
/// the verb: <c>inn -d /data install x.toml -d</c> is the data dir, then <c>--delete-invite</c>.
/// </summary>
internal sealed class GlobalOptions
{
    public Option<string> ConfigDir { get; } = new("--config-dir", "-c")
    {
        Description = "Directory of the network config files",
        DefaultValueFactory = _ => ClientPaths.DefaultConfigDirectory,
        Recursive = true,
    };

    public Option<string> DataDir { get; } = new("--data-dir", "-d")
    {
        Description = "Directory of the peer caches",
        DefaultValueFactory = _ => ClientPaths.DefaultDataDirectory,
        Recursive = true,
    };

    public Option<string> Backend { get; } = CreateBackendOption();

    public Option<int> Mtu { get; } = new("--mtu")
    {
        Description = "MTU of the WireGuard interface",
        DefaultValueFactory = _ => NetworkOptions.DefaultMtu,
        Recursive = true,
    };

    public Option<bool> NoRouting { get; } = new("--no-routing")
    {
        Description = "Do not add a route for the network (e.g. when babeld does the routing)",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "More output (repeatable): debug lines, full keys",
        Arity = ArgumentArity.Zero,
        Recursive = true,
    };

    public IEnumerable<Option> All => [ConfigDir, DataDir, Backend, Mtu, NoRouting, Verbose];

    public GlobalArgs Read(ParseResult result)
    {
        int mtu = result.GetValue(Mtu);
        if (mtu <= 0)
        {
            throw new CliUserException($"--mtu must be a positive number, not {mtu}", ExitCode.Usage);
        }

        int verbosity = result.Tokens.Count(t => t.Value is "-v" or "--verbose");
        return new GlobalArgs(
            result.GetValue(ConfigDir) ?? ClientPaths.DefaultConfigDirectory,
            result.GetValue(DataDir) ?? ClientPaths.DefaultDataDirectory,
            new NetworkOptions
            {
                Backend = ParseBackend(result.GetValue(Backend)),
                Mtu = mtu,
                NoRouting = result.GetValue(NoRouting),
            },
            verbosity);
    }

    public static WireGuardBackend ParseBackend(string? text) => text switch
    {
        null or "auto" => WireGuardBackend.Auto,
        "kernel" => WireGuardBackend.Kernel,
        "userspace" => WireGuardBackend.Userspace,
        _ => throw new CliUserException($"--backend must be kernel, userspace or auto, not '{text}'", ExitCode.Usage),
    };

    private static Option<string> CreateBackendOption()
    {
        var option = new Option<string>("--backend")
        {
            Description = "WireGuard backend: kernel, userspace (wireguard-go) or auto (a live userspace device, else kernel, else userspace)",
            DefaultValueFactory = _ => "auto",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("kernel", "userspace", "auto");
        return option;
    }
}
