using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Fetch;
using Innernet.Core.Live;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>up [iface]</c>: bring up and fetch one network, or every installed one; with <c>--daemon</c> keep each up to
/// date (<see cref="LiveSession"/>): hold the server's state stream where it offers one, otherwise fetch every
/// <c>--interval</c> seconds. A fatal error (e.g. no longer a member) ends the process with exit code 1 (systemd
/// restarts it).
/// </summary>
internal static class UpCommand
{
    public const int DefaultInterval = 60;

    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string?>("interface")
        {
            Description = "The network; all installed networks when omitted",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var daemon = new Option<bool>("--daemon", "-d")
        {
            Description = "Keep running: follow the server's live updates, or fetch every --interval seconds where it has none",
        };
        var interval = new Option<int>("--interval")
        {
            Description = "Seconds between fetches with --daemon (and between re-checks of the device while live)",
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
            var targets = parse.GetValue(iface) is { } one ? [one] : ClientPaths.InstalledInterfaces(args.ConfigDirectory);
            if (targets.Count == 0)
            {
                throw new CliUserException($"no networks are installed in '{args.ConfigDirectory}'", ExitCode.NotFound);
            }

            if (!parse.GetValue(daemon))
            {
                using var layer = context.OpenDeviceLayer(args.Network.Backend);
                var fetcher = Lifecycle.Fetcher(context, args, layer);
                foreach (string target in targets)
                {
                    await fetcher.FetchAsync(Lifecycle.Request(args, target, hostsOptions, natOptions, bringUp: true), ct)
                        .ConfigureAwait(false);
                }

                return;
            }

            // One session per network, all on one device layer (serialised: background NAT traversals share it).
            using var shared = new SynchronizedInterfaceLayer(context.OpenDeviceLayer(args.Network.Backend));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var log = new ConsoleLog(context.Out, args.Verbosity);
            var runs = targets.Select(async target =>
            {
                var session = new LiveSession(shared, log, context.ApiFactory, context.Time, context.Sleep, context.Resolve)
                {
                    Interval = TimeSpan.FromSeconds(seconds),
                };
                try
                {
                    await session.RunAsync(Lifecycle.Request(args, target, hostsOptions, natOptions, bringUp: true), stop.Token)
                        .ConfigureAwait(false);
                }
                catch
                {
                    // One network's fatal error ends the daemon (systemd restarts it), as a failed poll did.
                    await stop.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            }).ToList();
            await Task.WhenAll(runs).ConfigureAwait(false);
        }));
        return command;
    }
}
