using System.CommandLine;
using Innernet.Server.Cli;
using Innernet.Server.Serve;

namespace Innernet.Server.Commands;

/// <summary><c>serve &lt;iface&gt;</c>: runs the coordination server; the global --backend/--mtu/--no-routing apply.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var hostsPath = new Option<string>("--hosts-path")
        {
            Description = "The hosts file to write peer names into",
            DefaultValueFactory = _ => ServeArgs.DefaultHostsPath,
        };
        var noWriteHosts = new Option<bool>("--no-write-hosts") { Description = "Do not write the hosts file" };
        var hostSuffix = new Option<string>("--host-suffix")
        {
            Description = "Host names are <peer>.<suffix> (default <peer>.<interface>.wg; empty = bare <peer>)",
        };
        var database = CommonOptions.Database(
            "Keep the network in this PostgreSQL database (default: the config's [database] connection, else the file)");
        var replica = new Option<bool>("--replica")
        {
            Description = "Be one of several servers sharing the network's PostgreSQL database (default: the config's [database] replica)",
        };
        var command = new Command("serve", "Run the coordination server of a network")
        {
            iface, hostsPath, noWriteHosts, hostSuffix, database, replica,
        };
        var metricsListen = new Option<string>("--metrics-listen")
        {
            Description = "Serve Prometheus metrics (/metrics) and the health check (/healthz) on this loopback address:port",
            HelpName = "address:port",
        };
        command.Options.Add(metricsListen);
        var externalEndpoint = new Option<string>("--external-endpoint")
        {
            Description = "This server's own external endpoint, announced to clients so they can fail over between replicas",
            HelpName = "host:port",
        };
        command.Options.Add(externalEndpoint);
        command.Validators.Add(result =>
        {
            if (result.GetResult(hostsPath) is { Implicit: false } && result.GetResult(noWriteHosts) is not null)
            {
                result.AddError("--hosts-path and --no-write-hosts cannot be used together");
            }
        });
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => ServeHost.RunAsync(
            context,
            global.Read(parse),
            new ServeArgs(
                parse.GetRequiredValue(iface),
                parse.GetValue(hostsPath) ?? ServeArgs.DefaultHostsPath,
                parse.GetValue(noWriteHosts),
                parse.GetValue(hostSuffix),
                parse.GetValue(database),
                parse.GetValue(replica))
            {
                MetricsListen = parse.GetValue(metricsListen) is { } listen ? Values.ParseMetricsListen(listen, metricsListen.Name) : null,
                ExternalEndpoint = parse.GetValue(externalEndpoint) is { } own ? Values.ParseEndpoint(own, externalEndpoint.Name) : null,
            },
            ct)));
        return command;
    }
}
