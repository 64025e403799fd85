using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Config;
using Innernet.Core.IO;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Peers;
using Innernet.Core.Persistence;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>new</c> (alias <c>init</c>): creates a network — server config, keys and database.</summary>
internal static class NewCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var name = new Option<string>("--network-name") { Description = "Name of the network (also the interface name)" };
        var cidr = new Option<string>("--network-cidr") { Description = "The network's root CIDR, e.g. 10.42.0.0/16" };
        var endpoint = new Option<string>("--external-endpoint")
        {
            Description = "The server's public endpoint (ip:port) invitations point to",
        };
        var auto = new Option<bool>("--auto-external-endpoint")
        {
            Description = "Detect the public IP (not supported in this build: no public-IP detection)",
        };
        var port = new Option<ushort?>("--listen-port") { Description = "The WireGuard (and API) port; default 51820" };
        var database = CommonOptions.Database("Keep the network in this PostgreSQL database (an empty one) instead of a file");
        var command = new Command("new", "Create a new network") { name, cidr, endpoint, auto, port, database };
        command.Aliases.Add("init");
        command.Validators.Add(result =>
        {
            if (result.GetResult(endpoint) is not null && result.GetResult(auto) is not null)
            {
                result.AddError("--external-endpoint and --auto-external-endpoint cannot be used together");
            }
        });
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context,
            global.Read(parse),
            new NewArgs(parse.GetValue(name), parse.GetValue(cidr), parse.GetValue(endpoint), parse.GetValue(auto), parse.GetValue(port),
                parse.GetValue(database)),
            ct)));
        return command;
    }

    public static Task RunAsync(CliContext context, GlobalArgs global, NewArgs args, CancellationToken cancellationToken)
    {
        if (args.AutoExternalEndpoint)
        {
            throw new CliUserException(
                "--auto-external-endpoint is not supported in this build: no public-IP detection; pass --external-endpoint",
                ExitCode.Usage);
        }

        if (args.Database is { } connection)
        {
            // A bad setting (or one holding a password) fails before anything is written.
            NetworkSession.Connect(connection).Dispose();
        }

        AtomicFile.EnsurePrivateDirectory(global.ConfigDirectory);
        AtomicFile.EnsurePrivateDirectory(global.DataDirectory);
        context.Out.WriteLine(
            "Creating a new innernet network. Use a private range: RFC 1918 for IPv4 (e.g. 10.42.0.0/16) or fd00::/8 for IPv6.");

        var prompter = context.Prompter;
        string name = args.NetworkName ?? prompter.Ask("--network-name", "Network name", null, Values.NetworkNameError);
        if (Values.NetworkNameError(name) is { } nameError)
        {
            throw new CliUserException($"--network-name: {nameError}", ExitCode.Usage);
        }

        var paths = global.PathsFor(name);
        if (File.Exists(paths.ConfigFile) || File.Exists(paths.Database))
        {
            throw new CliUserException(
                $"network '{name}' already exists ({paths.ConfigFile} or {paths.Database}); use 'uninstall {name}' first");
        }

        var root = Values.ParseCidr(
            args.NetworkCidr ?? prompter.Ask("--network-cidr", "Network CIDR", Values.DefaultNetworkCidr, Values.CidrError),
            "--network-cidr");
        ushort port = args.ListenPort ?? ushort.Parse(
            prompter.Ask(
                "--listen-port",
                "Listen port",
                NetworkDefaults.ListenPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Values.PortError),
            System.Globalization.CultureInfo.InvariantCulture);
        if (port == 0)
        {
            throw new CliUserException("--listen-port: the port must be from 1 to 65535", ExitCode.Usage);
        }

        var external = Values.ParseEndpoint(
            args.ExternalEndpoint ?? prompter.Ask("--external-endpoint", "External endpoint (public ip:port)", null, Values.EndpointError),
            "--external-endpoint");

        var serverIp = IpAllocator.FirstFree(new Cidr(Cidr.RootId, name, root), []);
        var keys = KeyPair.Generate();
        var config = new ServerConfig(keys.Private, port, serverIp, root.PrefixLength) { DatabaseConnection = args.Database };
        config.Save(paths.ConfigFile);
        try
        {
            var network = new NewNetwork(name, root, serverIp, keys.Public, external);
            using var store = args.Database is { } postgres
                ? ServerStore.Create(NetworkSession.Connect(postgres), network)
                : ServerStore.Create(paths.Database, network);
        }
        catch
        {
            File.Delete(paths.ConfigFile);
            throw;
        }

        context.Out.WriteLine(
            $"Network '{name}' created: {root}, server {serverIp} listening on port {port}, external endpoint {external}.");
        context.Out.WriteLine("Next steps:");
        context.Out.WriteLine($"  innernet-server add-cidr {name} --parent {name} --name humans --cidr <a sub-range of {root}>");
        context.Out.WriteLine($"  innernet-server add-peer {name} --cidr humans --name <peer> --auto-ip --admin false");
        context.Out.WriteLine($"  systemctl enable --now innernet-server@{name}");
        return Task.CompletedTask;
    }
}
