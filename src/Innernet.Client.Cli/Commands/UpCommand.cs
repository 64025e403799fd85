using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Fetch;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>up [iface]</c>: bring up and fetch one network, or every installed one; with <c>--daemon</c> repeat every
/// <c>--interval</c> seconds. Any error ends the process with exit code 1 (systemd restarts it).
/// </summary>
internal static class UpCommand
{
    public const int DefaultInterval = 60;

    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string?>("interface") { Description = "The network; all installed networks when omitted", Arity = ArgumentArity.ZeroOrOne };
        var daemon = new Option<bool>("--daemon", "-d") { Description = "Keep running, fetching every --interval seconds" };
        var interval = new Option<int>("--interval")
        {
            Description = "Seconds between fetches with --daemon",
            DefaultValueFactory = _ => DefaultInterval,
        };
        var hosts = new HostsOptionSet();
        var nat = new NatOptionSet();
        var command = new Command("up", "Bring a network up and fetch its peers (all installed networks when none is named)")
        {
            iface, daemon, interval,
        };
        hosts.AddTo(command);
        nat.AddTo(command);
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            int seconds = parse.GetValue(interval);
            if (seconds <= 0)
            {
                throw new CliUserException($"--interval must be a positive number of seconds, not {seconds}", ExitCode.Usage);
            }

            var hostsOptions = hosts.Read(parse);
            var natOptions = nat.Read(parse);
            using var layer = context.OpenDeviceLayer(args.Network.Backend);
            var fetcher = Lifecycle.Fetcher(context, args, layer);
            while (true)
            {
                var targets = parse.GetValue(iface) is { } one ? [one] : ClientPaths.InstalledInterfaces(args.ConfigDirectory);
                if (targets.Count == 0)
                {
                    throw new CliUserException($"no networks are installed in '{args.ConfigDirectory}'", ExitCode.NotFound);
                }

                foreach (string target in targets)
                {
                    await fetcher.FetchAsync(Lifecycle.Request(args, target, hostsOptions, natOptions, bringUp: true), ct).ConfigureAwait(false);
                }

                if (!parse.GetValue(daemon))
                {
                    return;
                }

                await context.Sleep(TimeSpan.FromSeconds(seconds), ct).ConfigureAwait(false);
            }
        }));
        return command;
    }
}
