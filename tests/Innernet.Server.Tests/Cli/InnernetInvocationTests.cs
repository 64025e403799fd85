using System.CommandLine.Parsing;
using Innernet.Cli;
using Innernet.Server.Cli;
using Innernet.Testing;

namespace Innernet.Server.Tests.Cli;

/// <summary>
/// Every <c>innernet-server</c> 1.7.1 invocation form (verbs, aliases, flags, global options before the verb,
/// <c>serve</c>'s own network options after it, both at once) parses here with innernet's meaning. Global values
/// are read by the production <see cref="GlobalOptions.Read"/>; <c>@</c> keys not listed must be the defaults.
/// </summary>
public sealed class InnernetInvocationTests
{
    private static readonly Dictionary<string, object?> GlobalDefaults =
        CommandLineMeaning.Globals("/etc/innernet-server", "/var/lib/innernet-server", "Auto", 1280, noRouting: false);

    public static TheoryData<string, string, string[]> Invocations => new()
    {
        // new / init
        { "new --network-name evilcorp --network-cidr 10.66.0.0/16 --external-endpoint 172.18.1.1:51820 --listen-port 51820", "new",
            ["--network-name=evilcorp", "--network-cidr=10.66.0.0/16", "--external-endpoint=172.18.1.1:51820", "--listen-port=51820"] },
        { "init --network-name evilcorp --network-cidr 10.66.0.0/16 --auto-external-endpoint", "new",
            ["--network-name=evilcorp", "--auto-external-endpoint=true", "--external-endpoint=<none>", "--listen-port=<none>"] },
        { "-c /x/etc -d /x/lib new --network-name evilcorp", "new", ["@config=/x/etc", "@data=/x/lib", "--network-name=evilcorp"] },
        { "--config-dir /x/etc --data-dir /x/lib new", "new", ["@config=/x/etc", "@data=/x/lib", "--network-name=<none>"] },

        // serve: its own network options after the verb, the global ones before it, and both at once
        { "serve evilcorp", "serve", ["interface=evilcorp", "--hosts-path=/etc/hosts", "--no-write-hosts=false", "--host-suffix=<none>"] },
        { "serve --backend userspace evilcorp", "serve", ["interface=evilcorp", "@backend=Userspace"] },
        { "serve evilcorp --backend kernel --mtu 1420 --no-routing", "serve", ["interface=evilcorp", "@backend=Kernel", "@mtu=1420",
            "@no-routing=true"] },
        { "--backend userspace serve --backend userspace evilcorp", "serve", ["interface=evilcorp", "@backend=Userspace"] },
        { "--backend kernel serve --backend userspace evilcorp", "serve", ["interface=evilcorp", "@backend=Userspace"] },
        { "--mtu 1300 serve --mtu 1400 evilcorp", "serve", ["interface=evilcorp", "@mtu=1400"] },
        { "--no-routing serve --no-routing evilcorp", "serve", ["interface=evilcorp", "@no-routing=true"] },
        // innernet ignores these before serve; honouring them is a deliberate difference (architecture.md)
        { "--backend userspace --mtu 1400 --no-routing serve evilcorp", "serve", ["interface=evilcorp", "@backend=Userspace", "@mtu=1400",
            "@no-routing=true"] },
        { "-c /x/etc -d /x/lib serve --backend userspace --mtu 1380 --no-routing --hosts-path /tmp/hosts --host-suffix lan evilcorp",
            "serve",
            ["interface=evilcorp", "@config=/x/etc", "@data=/x/lib", "@backend=Userspace", "@mtu=1380", "@no-routing=true",
                "--hosts-path=/tmp/hosts", "--host-suffix=lan"] },
        { "serve --no-write-hosts --host-suffix \"\" evilcorp", "serve", ["interface=evilcorp", "--no-write-hosts=true",
            "--host-suffix="] },

        // the other verbs
        { "uninstall evilcorp --yes", "uninstall", ["interface=evilcorp", "--yes=true"] },
        { "uninstall evilcorp", "uninstall", ["interface=evilcorp", "--yes=false"] },
        { "add-peer evilcorp --name admin --cidr humans --admin true --auto-ip --save-config peer1.toml --invite-expires 30d --yes",
            "add-peer",
            ["interface=evilcorp", "--name=admin", "--cidr=humans", "--admin=true", "--auto-ip=true", "--ip=<none>",
                "--save-config=peer1.toml", "--invite-expires=30d", "--yes=true"] },
        { "add-peer evilcorp --name bob --ip 10.66.1.9 --cidr humans --admin false", "add-peer",
            ["interface=evilcorp", "--name=bob", "--ip=10.66.1.9", "--auto-ip=false", "--admin=false", "--yes=false",
                "--invite-expires=<none>"] },
        { "add-peer evilcorp", "add-peer", ["interface=evilcorp", "--name=<none>", "--admin=<none>"] },
        { "disable-peer evilcorp --name bob --yes", "disable-peer", ["interface=evilcorp", "--name=bob", "--yes=true"] },
        { "--backend userspace disable-peer evilcorp --name bob", "disable-peer", ["interface=evilcorp", "--name=bob", "--yes=false",
            "@backend=Userspace"] },
        { "enable-peer evilcorp --name bob --yes", "enable-peer", ["interface=evilcorp", "--name=bob", "--yes=true"] },
        { "--backend kernel enable-peer evilcorp", "enable-peer", ["interface=evilcorp", "--name=<none>", "@backend=Kernel"] },
        { "rename-peer evilcorp --name bob --new-name robert --yes", "rename-peer", ["interface=evilcorp", "--name=bob",
            "--new-name=robert", "--yes=true"] },
        { "add-cidr evilcorp --name humans --cidr 10.66.1.0/24 --parent evilcorp --yes", "add-cidr",
            ["interface=evilcorp", "--name=humans", "--cidr=10.66.1.0/24", "--parent=evilcorp", "--yes=true"] },
        { "rename-cidr evilcorp --name robots --new-name coolbeans --yes", "rename-cidr",
            ["interface=evilcorp", "--name=robots", "--new-name=coolbeans", "--yes=true"] },
        { "delete-cidr evilcorp --name humans --yes", "delete-cidr", ["interface=evilcorp", "--name=humans", "--yes=true"] },
        { "-d /x/lib delete-cidr evilcorp", "delete-cidr", ["interface=evilcorp", "@data=/x/lib", "--name=<none>"] },
        { "completions bash", "completions", ["shell=bash"] },
        { "completions zsh", "completions", ["shell=zsh"] },
        { "completions fish", "completions", ["shell=fish"] },
        { "completions elvish", "completions", ["shell=elvish"] },
        { "completions powershell", "completions", ["shell=powershell"] },
    };

    [Theory]
    [MemberData(nameof(Invocations))]
    public void Parse_InnernetInvocation_HasInnernetsMeaning(string commandLine, string verb, string[] expectations)
    {
        var global = new GlobalOptions();
        var root = ServerCommandLine.Create(
            new CliContext { Out = TextWriter.Null, Error = TextWriter.Null, Prompter = NoTerminalPrompter.Instance }, global);

        var result = root.Parse(CommandLineParser.SplitCommandLine(commandLine).ToArray());

        Assert.Empty(result.Errors.Select(e => e.Message));
        var args = global.Read(result);
        var meant = CommandLineMeaning.Globals(
            args.ConfigDirectory, args.DataDirectory, args.Network.Backend.ToString(), args.Network.Mtu, args.Network.NoRouting);
        CommandLineMeaning.AssertMeans(result, verb, expectations, meant, GlobalDefaults);
    }
}
