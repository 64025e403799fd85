using System.CommandLine.Parsing;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Testing;

namespace Innernet.Client.Tests.Cli;

/// <summary>
/// Every <c>innernet</c> 1.7.1 invocation form (verbs, aliases, flags, positional forms, global options before
/// the verb) parses in <c>inn</c> with innernet's meaning. Global values are read by the production
/// <see cref="GlobalOptions.Read"/>; <c>@</c> keys not listed must be the defaults. Verb "" is no verb (show).
/// </summary>
public sealed class InnernetInvocationTests
{
    private static readonly Dictionary<string, object?> GlobalDefaults = WithVerbosity(
        CommandLineMeaning.Globals("/etc/innernet", "/var/lib/innernet", "Auto", 1280, noRouting: false), 0);

    public static TheoryData<string, string, string[]> Invocations => new()
    {
        // no verb, show / list, verbosity
        { "", "", [] },
        { "-v", "", ["@verbosity=1"] },
        { "show", "show", ["interface=<none>", "--short=false", "--tree=false"] },
        { "list", "show", ["interface=<none>"] },
        { "show evilcorp -s -t", "show", ["interface=evilcorp", "--short=true", "--tree=true"] },
        { "show evilcorp --short --tree", "show", ["interface=evilcorp", "--short=true", "--tree=true"] },
        { "-v show", "show", ["@verbosity=1"] },
        { "-vv show evilcorp", "show", ["interface=evilcorp", "@verbosity=2"] },
        { "-v -v -v list", "show", ["@verbosity=3"] },
        { "--verbose --verbose show", "show", ["@verbosity=2"] },
        { "show -v", "show", ["@verbosity=1"] },
        { "-v up evilcorp -v", "up", ["interface=evilcorp", "@verbosity=2"] },

        // install / redeem
        { "install --name evilcorp --delete-invite --no-write-hosts /app/invite.toml", "install",
            ["invite=/app/invite.toml", "--name=evilcorp", "--delete-invite=true", "--no-write-hosts=true", "--default-name=false"] },
        { "redeem --default-name -d invite.toml", "install", ["invite=invite.toml", "--default-name=true", "--delete-invite=true",
            "--name=<none>"] },
        { "-d /x/lib install invite.toml -d", "install", ["invite=invite.toml", "@data=/x/lib", "--delete-invite=true"] },
        { "install invite.toml --hosts-path /tmp/hosts --host-suffix lan --no-nat-traversal"
            + " --exclude-nat-candidates 10.0.0.0/8 --exclude-nat-candidates 192.168.0.0/16",
            "install", ["invite=invite.toml", "--hosts-path=/tmp/hosts", "--host-suffix=lan", "--no-nat-traversal=true",
                "--exclude-nat-candidates=10.0.0.0/8,192.168.0.0/16", "--delete-invite=false"] },
        { "install invite.toml --no-nat-candidates", "install", ["invite=invite.toml", "--no-nat-candidates=true",
            "--hosts-path=/etc/hosts"] },

        // up / fetch / down / uninstall
        { "up", "up", ["interface=<none>", "--daemon=false", "--interval=60"] },
        { "up evilcorp", "up", ["interface=evilcorp", "--daemon=false"] },
        { "up -d --interval 30", "up", ["interface=<none>", "--daemon=true", "--interval=30"] },
        { "up evilcorp --daemon --interval 10 --no-write-hosts --no-nat-traversal", "up",
            ["interface=evilcorp", "--daemon=true", "--interval=10", "--no-write-hosts=true", "--no-nat-traversal=true"] },
        { "--backend userspace --mtu 1400 --no-routing up evilcorp", "up",
            ["interface=evilcorp", "@backend=Userspace", "@mtu=1400", "@no-routing=true"] },
        { "--backend userspace up evilcorp --backend kernel --mtu 1400", "up", ["interface=evilcorp", "@backend=Kernel", "@mtu=1400"] },
        { "-c /x/etc -d /x/lib --backend kernel up -d evilcorp", "up",
            ["interface=evilcorp", "@config=/x/etc", "@data=/x/lib", "@backend=Kernel", "--daemon=true"] },
        { "--config-dir /x/etc --data-dir /x/lib -v up", "up", ["@config=/x/etc", "@data=/x/lib", "@verbosity=1"] },
        { "fetch evilcorp", "fetch", ["interface=evilcorp", "--hosts-path=/etc/hosts", "--no-write-hosts=false"] },
        { "fetch evilcorp --hosts-path /tmp/hosts --host-suffix \"\" --exclude-nat-candidates 10.0.0.0/8", "fetch",
            ["interface=evilcorp", "--hosts-path=/tmp/hosts", "--host-suffix=", "--exclude-nat-candidates=10.0.0.0/8"] },
        { "--backend userspace fetch evilcorp --no-nat-candidates", "fetch", ["interface=evilcorp", "@backend=Userspace",
            "--no-nat-candidates=true"] },
        { "down evilcorp", "down", ["interface=evilcorp"] },
        { "--backend userspace down evilcorp", "down", ["interface=evilcorp", "@backend=Userspace"] },
        { "uninstall evilcorp --yes", "uninstall", ["interface=evilcorp", "--yes=true"] },
        { "uninstall evilcorp", "uninstall", ["interface=evilcorp", "--yes=false"] },

        // admin verbs
        { "add-peer evilcorp --name bob --cidr humans --admin false --auto-ip --save-config bob.toml --invite-expires 30d --yes",
            "add-peer",
            ["interface=evilcorp", "--name=bob", "--cidr=humans", "--admin=false", "--auto-ip=true", "--save-config=bob.toml",
                "--invite-expires=30d", "--yes=true"] },
        { "add-peer evilcorp --name bob --ip 10.66.1.9 --cidr humans --admin true", "add-peer",
            ["interface=evilcorp", "--ip=10.66.1.9", "--admin=true", "--auto-ip=false", "--yes=false"] },
        { "add-peer evilcorp", "add-peer", ["interface=evilcorp", "--name=<none>", "--admin=<none>"] },
        { "rename-peer evilcorp --name bob --new-name robert --yes", "rename-peer", ["interface=evilcorp", "--name=bob",
            "--new-name=robert", "--yes=true"] },
        { "add-cidr evilcorp --name robots --cidr 10.66.2.0/24 --parent evilcorp --yes", "add-cidr",
            ["interface=evilcorp", "--name=robots", "--cidr=10.66.2.0/24", "--parent=evilcorp", "--yes=true"] },
        { "rename-cidr evilcorp --name robots --new-name coolbeans --yes", "rename-cidr",
            ["interface=evilcorp", "--name=robots", "--new-name=coolbeans", "--yes=true"] },
        { "delete-cidr evilcorp --name robots --yes", "delete-cidr", ["interface=evilcorp", "--name=robots", "--yes=true"] },
        { "list-cidrs evilcorp", "list-cidrs", ["interface=evilcorp", "--tree=false"] },
        { "list-cidrs evilcorp -t", "list-cidrs", ["interface=evilcorp", "--tree=true"] },
        { "list-cidrs evilcorp --tree", "list-cidrs", ["interface=evilcorp", "--tree=true"] },
        { "disable-peer evilcorp --name bob --yes", "disable-peer", ["interface=evilcorp", "--name=bob", "--yes=true"] },
        { "enable-peer evilcorp --name bob", "enable-peer", ["interface=evilcorp", "--name=bob", "--yes=false"] },
        { "enable-peer evilcorp", "enable-peer", ["interface=evilcorp", "--name=<none>"] },
        { "add-association evilcorp humans robots", "add-association", ["interface=evilcorp", "cidr1=humans", "cidr2=robots",
            "--yes=false"] },
        { "add-association evilcorp humans", "add-association", ["interface=evilcorp", "cidr1=humans", "cidr2=<none>"] },
        { "add-association evilcorp --yes", "add-association", ["interface=evilcorp", "cidr1=<none>", "cidr2=<none>", "--yes=true"] },
        { "delete-association evilcorp humans robots --yes", "delete-association", ["interface=evilcorp", "cidr1=humans", "cidr2=robots",
            "--yes=true"] },
        { "list-associations evilcorp", "list-associations", ["interface=evilcorp"] },
        { "set-listen-port evilcorp -l 51821 --yes", "set-listen-port", ["interface=evilcorp", "--listen-port=51821", "--unset=false",
            "--yes=true"] },
        { "set-listen-port evilcorp --listen-port 51821", "set-listen-port", ["interface=evilcorp", "--listen-port=51821", "--yes=false"] },
        { "set-listen-port evilcorp -u --yes", "set-listen-port", ["interface=evilcorp", "--listen-port=<none>", "--unset=true"] },
        { "set-listen-port evilcorp --unset", "set-listen-port", ["interface=evilcorp", "--unset=true"] },
        { "override-endpoint evilcorp -e 198.51.100.7:51820 --yes", "override-endpoint",
            ["interface=evilcorp", "--endpoint=198.51.100.7:51820", "--unset=false", "--yes=true"] },
        { "override-endpoint evilcorp --endpoint [2001:db8::1]:51820", "override-endpoint", ["interface=evilcorp",
            "--endpoint=[2001:db8::1]:51820"] },
        { "override-endpoint evilcorp -u --yes", "override-endpoint", ["interface=evilcorp", "--endpoint=<none>", "--unset=true",
            "--yes=true"] },
        { "override-peer-endpoint evilcorp --name bob -e vpn.example.org:4000 --yes", "override-peer-endpoint",
            ["interface=evilcorp", "--name=bob", "--endpoint=vpn.example.org:4000", "--yes=true"] },
        { "override-peer-endpoint evilcorp --name bob --unset", "override-peer-endpoint", ["interface=evilcorp", "--name=bob",
            "--unset=true"] },
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
        var globals = new GlobalOptions();
        var root = ClientCommandLine.Build(
            new ClientContext { Out = TextWriter.Null, Error = TextWriter.Null, Prompter = NoTerminalPrompter.Instance }, globals);

        var result = root.Parse(CommandLineParser.SplitCommandLine(commandLine).ToArray());

        Assert.Empty(result.Errors.Select(e => e.Message));
        var args = globals.Read(result);
        var meant = WithVerbosity(
            CommandLineMeaning.Globals(
                args.ConfigDirectory, args.DataDirectory, args.Network.Backend.ToString(), args.Network.Mtu, args.Network.NoRouting),
            args.Verbosity);
        CommandLineMeaning.AssertMeans(result, verb.Length == 0 ? root.Name : verb, expectations, meant, GlobalDefaults);
    }

    private static Dictionary<string, object?> WithVerbosity(Dictionary<string, object?> globals, int verbosity)
    {
        globals["@verbosity"] = verbosity;
        return globals;
    }
}
