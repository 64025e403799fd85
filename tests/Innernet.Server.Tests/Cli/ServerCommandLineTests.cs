using System.CommandLine;
using Innernet.Cli;
using Innernet.Server.Cli;

namespace Innernet.Server.Tests.Cli;

public sealed class ServerCommandLineTests
{
    private static RootCommand Root() => ServerCommandLine.Create(new CliContext
    {
        Out = TextWriter.Null,
        Error = TextWriter.Null,
        Prompter = NoTerminalPrompter.Instance,
    });

    public static TheoryData<string, string[]> EveryVerbWithAllFlags => new()
    {
        { "new", ["new", "--network-name", "net", "--network-cidr", "10.42.0.0/16", "--external-endpoint", "198.18.0.1:51820",
            "--listen-port", "51820"] },
        { "new", ["init", "--network-name", "net", "--auto-external-endpoint"] },
        { "serve", ["serve", "net", "--hosts-path", "/tmp/hosts", "--host-suffix", "lan"] },
        { "serve", ["serve", "net", "--no-write-hosts"] },
        { "uninstall", ["uninstall", "net", "--yes"] },
        { "add-peer", ["add-peer", "net", "--name", "p", "--ip", "10.42.1.9", "--cidr", "c", "--admin", "true", "--invite-expires", "30d",
            "--save-config", "p.toml", "--yes"] },
        { "add-peer", ["add-peer", "net", "--name", "p", "--auto-ip", "--cidr", "c", "--admin", "false"] },
        { "disable-peer", ["disable-peer", "net", "--name", "p", "--yes"] },
        { "enable-peer", ["enable-peer", "net", "--name", "p", "--yes"] },
        { "rename-peer", ["rename-peer", "net", "--name", "p", "--new-name", "q", "--yes"] },
        { "add-cidr", ["add-cidr", "net", "--name", "c", "--cidr", "10.42.1.0/24", "--parent", "net", "--yes"] },
        { "rename-cidr", ["rename-cidr", "net", "--name", "c", "--new-name", "d", "--yes"] },
        { "delete-cidr", ["delete-cidr", "net", "--name", "c", "--yes"] },
        { "list-peers", ["list-peers", "net", "--json"] },
        { "list-cidrs", ["list-cidrs", "net", "--tree", "--json"] },
        { "list-cidrs", ["list-cidrs", "net", "-t"] },
        { "list-associations", ["list-associations", "net", "--json"] },
        { "add-association", ["add-association", "net", "a", "b", "--yes"] },
        { "delete-association", ["delete-association", "net", "a", "b", "--yes"] },
        { "add-association", ["add-association", "net"] },
        { "reissue-invite", ["reissue-invite", "net", "--name", "p", "--invite-expires", "1d", "--save-config", "p.toml", "--yes"] },
        { "set-external-endpoint", ["set-external-endpoint", "net", "--endpoint", "[2001:db8::1]:51820", "--yes"] },
        { "set-external-endpoint", ["set-external-endpoint", "net", "-e", "vpn.example.com:51820"] },
        { "completions", ["completions", "bash"] },
    };

    [Theory]
    [MemberData(nameof(EveryVerbWithAllFlags))]
    public void Parse_EveryVerbWithItsFlags_HasNoErrors(string verb, string[] args)
    {
        var result = Root().Parse(args);

        Assert.Empty(result.Errors);
        Assert.Equal(verb, result.CommandResult.Command.Name);
    }

    [Fact]
    public void Parse_GlobalOptionsAfterTheVerb_AreRead()
    {
        var result = Root().Parse(["serve", "net", "--backend", "userspace", "--mtu", "1400", "--no-routing",
            "-c", "/x/etc", "-d", "/x/lib"]);

        Assert.Empty(result.Errors);
        Assert.Equal("userspace", result.GetValue<string>("--backend"));
        Assert.Equal(1400, result.GetValue<int>("--mtu"));
        Assert.True(result.GetValue<bool>("--no-routing"));
        Assert.Equal("/x/etc", result.GetValue<string>("--config-dir"));
        Assert.Equal("/x/lib", result.GetValue<string>("--data-dir"));
    }

    [Fact]
    public void Parse_NoGlobalOptions_UsesInnernetDefaults()
    {
        var result = Root().Parse(["list-peers", "net"]);

        Assert.Equal("/etc/innernet-server", result.GetValue<string>("--config-dir"));
        Assert.Equal("/var/lib/innernet-server", result.GetValue<string>("--data-dir"));
        Assert.Equal("auto", result.GetValue<string>("--backend"));
        Assert.Equal(1280, result.GetValue<int>("--mtu"));
        Assert.False(result.GetValue<bool>("--no-routing"));
        Assert.Equal("/etc/hosts", Root().Parse(["serve", "net"]).GetValue<string>("--hosts-path"));
    }

    [Theory]
    [InlineData("add-peer", "net", "--ip", "10.42.1.9", "--auto-ip")]
    [InlineData("new", "--external-endpoint", "198.18.0.1:1", "--auto-external-endpoint")]
    [InlineData("serve", "net", "--hosts-path", "/tmp/h", "--no-write-hosts")]
    [InlineData("list-peers", "net", "--backend", "bogus")]
    [InlineData("disable-peer", "net", "--yes")]
    [InlineData("add-peer", "net", "--admin", "maybe")]
    [InlineData("completions", "tcsh")]
    [InlineData("frobnicate")]
    public async Task Invoke_BadCommandLine_ExitsWithUsage(params string[] args)
    {
        using var cli = new CliHarness();

        var run = await cli.RunRawAsync(args);

        Assert.Equal((int)ExitCode.Usage, run.ExitCode);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_NotRoot_ExitsWithPermissionAndSaysWhy()
    {
        using var cli = new CliHarness { IsRoot = false };

        var run = await cli.RunAsync("list-peers", "net");

        run.AssertFails((int)ExitCode.Permission, "must run as root");
        Assert.False(Directory.Exists(cli.ConfigDir));
    }

    [Fact]
    public async Task Invoke_CompletionsAndHelp_WorkWithoutRoot()
    {
        using var cli = new CliHarness { IsRoot = false };

        var bash = (await cli.RunRawAsync("completions", "bash")).AssertOk();
        var fish = (await cli.RunRawAsync("completions", "fish")).AssertOk();
        var elvish = (await cli.RunRawAsync("completions", "elvish")).AssertOk();
        var powershell = (await cli.RunRawAsync("completions", "powershell")).AssertOk();
        var help = (await cli.RunRawAsync("add-peer", "--help")).AssertOk();

        Assert.Contains("complete -F _innernet_server innernet-server", bash.Out, StringComparison.Ordinal);
        Assert.Contains("add-peer", bash.Out, StringComparison.Ordinal);
        Assert.Contains("-l invite-expires", fish.Out, StringComparison.Ordinal);
        Assert.Contains("set edit:completion:arg-completer[innernet-server] = {|@words|", elvish.Out, StringComparison.Ordinal);
        Assert.Contains(" &add-peer=['--name' ", elvish.Out, StringComparison.Ordinal);
        Assert.Contains("Register-ArgumentCompleter -Native -CommandName 'innernet-server' -ScriptBlock {", powershell.Out,
            StringComparison.Ordinal);
        Assert.Contains("'add-peer' = @('--name',", powershell.Out, StringComparison.Ordinal);
        Assert.Contains("--invite-expires", help.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_MissingValueWithoutTerminal_NamesTheFlag()
    {
        using var cli = new CliHarness();

        var run = await cli.RunAsync("new", "--network-name", cli.Interface, "--external-endpoint", "198.18.0.1:51820");

        run.AssertFails((int)ExitCode.Usage, "missing --network-cidr (no terminal to prompt on)");
        Assert.False(File.Exists(cli.ConfigFile));
    }

    [Fact]
    public async Task New_AutoExternalEndpoint_IsRefusedWithoutNetworkLookups()
    {
        using var cli = new CliHarness();

        var run = await cli.RunAsync("new", "--network-name", cli.Interface, "--network-cidr", "10.66.0.0/16", "--auto-external-endpoint");

        run.AssertFails((int)ExitCode.Usage, "not supported in this build: no public-IP detection");
    }

    [Theory]
    [InlineData("--admin", "add-peer",
        "--name", "p", "--cidr", "humans", "--auto-ip", "--invite-expires", "1d", "--save-config", "SAVE", "--yes")]
    [InlineData("--name", "add-peer",
        "--cidr", "humans", "--auto-ip", "--admin", "false", "--invite-expires", "1d", "--save-config", "SAVE", "--yes")]
    [InlineData("--invite-expires", "add-peer",
        "--name", "p", "--cidr", "humans", "--auto-ip", "--admin", "false", "--save-config", "SAVE", "--yes")]
    [InlineData("--save-config", "add-peer",
        "--name", "p", "--cidr", "humans", "--auto-ip", "--admin", "false", "--invite-expires", "1d", "--yes")]
    [InlineData("--yes", "add-peer",
        "--name", "p", "--cidr", "humans", "--auto-ip", "--admin", "false", "--invite-expires", "1d", "--save-config", "SAVE")]
    [InlineData("--cidr", "add-peer",
        "--name", "p", "--auto-ip", "--admin", "false", "--invite-expires", "1d", "--save-config", "SAVE", "--yes")]
    [InlineData("--ip", "add-peer",
        "--name", "p", "--cidr", "humans", "--admin", "false", "--invite-expires", "1d", "--save-config", "SAVE", "--yes")]
    [InlineData("--parent", "add-cidr", "--name", "c", "--cidr", "10.66.2.0/24", "--yes")]
    [InlineData("--new-name", "rename-cidr", "--name", "humans", "--yes")]
    [InlineData("--endpoint", "set-external-endpoint", "--yes")]
    public async Task Verb_MissingValueWithoutTerminal_NamesTheFlagAndChangesNothing(string flag, string verb, params string[] rest)
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        string save = cli.File("p.toml");
        string[] args = [verb, cli.Interface, .. rest.Select(a => a == "SAVE" ? save : a)];

        var run = await cli.RunAsync(args);

        run.AssertFails((int)ExitCode.Usage, $"missing {flag} (no terminal to prompt on)");
        Assert.False(File.Exists(save));
        var peers = InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).AssertOk().Out);
        Assert.Single(peers);
    }

    [Fact]
    public async Task Verb_UnknownNetwork_ExitsWithNotFound()
    {
        using var cli = new CliHarness();

        var run = await cli.RunAsync("list-peers", "nosuchnet");

        run.AssertFails((int)ExitCode.NotFound, "network 'nosuchnet' not found");
    }

    internal static IReadOnlyList<Peer> InnernetJsonPeers(string json)
        => Core.Contracts.InnernetJson.Deserialize<IReadOnlyList<Peer>>(json);
}
