using System.CommandLine;
using System.Globalization;
using Innernet.Core.Interfaces;
using Innernet.Netlink.WireGuard;

namespace Innernet.Cli;

/// <summary>
/// The global options both CLIs take, all recursive (accepted before or after the verb): the config and data
/// directories (defaults per CLI), the WireGuard backend, the MTU and <c>--no-routing</c>. innernet's
/// <c>serve</c> has its own network options, so scripts say <c>--backend userspace serve --backend userspace</c>:
/// an option given more than once means its last value (the one nearest the verb's own arguments).
/// </summary>
internal sealed class CommonGlobalOptions
{
    private readonly string _defaultConfigDirectory;
    private readonly string _defaultDataDirectory;

    /// <param name="defaultConfigDirectory">The CLI's default <c>--config-dir</c>.</param>
    /// <param name="defaultDataDirectory">The CLI's default <c>--data-dir</c>.</param>
    /// <param name="dataDirectoryDescription">What the CLI keeps in its data directory, for <c>--help</c>.</param>
    public CommonGlobalOptions(string defaultConfigDirectory, string defaultDataDirectory, string dataDirectoryDescription)
    {
        _defaultConfigDirectory = defaultConfigDirectory;
        _defaultDataDirectory = defaultDataDirectory;
        ConfigDir = LastValueWins(new Option<string>("--config-dir", "-c")
        {
            Description = "Directory of the network config files",
            DefaultValueFactory = _ => defaultConfigDirectory,
            Recursive = true,
        });
        DataDir = LastValueWins(new Option<string>("--data-dir", "-d")
        {
            Description = dataDirectoryDescription,
            DefaultValueFactory = _ => defaultDataDirectory,
            Recursive = true,
        });
    }

    public Option<string> ConfigDir { get; }

    public Option<string> DataDir { get; }

    public Option<string> Backend { get; } = CreateBackendOption();

    public Option<int> Mtu { get; } = CreateMtuOption();

    public Option<bool> NoRouting { get; } = new("--no-routing")
    {
        Description = "Do not add a route for the network (e.g. when babeld does the routing)",
        Recursive = true,
    };

    public IEnumerable<Option> All => [ConfigDir, DataDir, Backend, Mtu, NoRouting];

    /// <summary>The <c>--config-dir</c> value as given (or the default).</summary>
    public string ReadConfigDirectory(ParseResult result) => result.GetValue(ConfigDir) ?? _defaultConfigDirectory;

    /// <summary>The <c>--data-dir</c> value as given (or the default).</summary>
    public string ReadDataDirectory(ParseResult result) => result.GetValue(DataDir) ?? _defaultDataDirectory;

    /// <summary>Backend, MTU and routing choice.</summary>
    /// <exception cref="CliUserException">The MTU is not positive, or the backend unknown (<see cref="ExitCode.Usage"/>).</exception>
    public NetworkOptions ReadNetwork(ParseResult result)
    {
        int mtu = result.GetValue(Mtu);
        if (mtu <= 0)
        {
            throw new CliUserException($"--mtu must be a positive number, not {mtu}", ExitCode.Usage);
        }

        return new NetworkOptions
        {
            Backend = ParseBackend(result.GetValue(Backend)),
            Mtu = mtu,
            NoRouting = result.GetValue(NoRouting),
        };
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
        var option = LastValueWins(new Option<string>("--backend")
        {
            Description = "WireGuard backend: kernel, userspace (wireguard-go) or auto "
                + "(a live userspace device, else kernel, else userspace)",
            DefaultValueFactory = _ => "auto",
            Recursive = true,
        });
        option.AcceptOnlyFromAmong("kernel", "userspace", "auto");
        return option;
    }

    private static Option<int> CreateMtuOption() => new("--mtu")
    {
        Description = "MTU of the WireGuard interface",
        DefaultValueFactory = _ => NetworkOptions.DefaultMtu,
        Recursive = true,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            string text = result.Tokens[^1].Value;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int mtu))
            {
                return mtu;
            }

            result.AddError($"--mtu must be a number, not '{text}'");
            return 0;
        },
    };

    /// <summary>Accepts the option more than once (before and after the verb); the last value counts.</summary>
    private static Option<string> LastValueWins(Option<string> option)
    {
        option.Arity = ArgumentArity.OneOrMore;
        option.AllowMultipleArgumentsPerToken = false;
        option.CustomParser = result => result.Tokens[^1].Value;
        return option;
    }
}
