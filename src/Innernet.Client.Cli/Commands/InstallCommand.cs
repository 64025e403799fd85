using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Model;
using Spectre.Console;

namespace Innernet.Client.Commands;

/// <summary><c>install &lt;invite&gt;</c> (alias <c>redeem</c>): redeem an invitation and join its network.</summary>
internal static class InstallCommand
{
    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var invite = new Argument<string>("invite") { Description = "The invitation file (<name>.toml)" };
        var name = new Option<string>("--name") { Description = "Interface name to install the network as" };
        var defaultName = new Option<bool>("--default-name") { Description = "Use the invitation's network name as the interface name" };
        var deleteInvite = new Option<bool>("--delete-invite", "-d")
        {
            Description = "Delete the invitation file after a successful install",
        };
        var hosts = new HostsOptionSet();
        var nat = new NatOptionSet();
        var command = new Command("install", "Redeem an invitation and join its network") { invite, name, defaultName, deleteInvite };
        command.Aliases.Add("redeem");
        hosts.AddTo(command);
        nat.AddTo(command);
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            string path = parse.GetRequiredValue(invite);
            if (parse.GetValue(defaultName) && parse.GetResult(name) is not null)
            {
                throw new CliUserException("--name cannot be combined with --default-name", ExitCode.Usage);
            }

            var invitation = InterfaceConfig.LoadInvitation(File.Exists(path)
                ? path
                : throw new CliUserException($"the invitation file '{path}' does not exist", ExitCode.NotFound)).Config;
            string networkName = invitation.Interface.NetworkName;
            string iface = parse.GetValue(defaultName)
                ? networkName
                : parse.GetValue(name) ?? context.Prompter.Ask(
                    "--name or --default-name", "Interface name", networkName,
                    v => NetworkName.IsValid(v) ? null : "not a valid interface name");
            bool delete = parse.GetValue(deleteInvite)
                || context.Prompter.Confirm("--delete-invite", $"Delete invitation file '{path}' after installing?", defaultValue: true);

            var log = new ConsoleLog(context.Out, args.Verbosity);
            using var layer = context.OpenDeviceLayer(args.Network.Backend);
            var fetcher = Lifecycle.Fetcher(context, args, layer);
            var installer = new InvitationInstaller(layer, fetcher, log, context.ApiFactory, context.Sleep);
            var request = new InstallRequest
            {
                InvitationPath = path,
                InterfaceName = iface,
                ConfigDirectory = args.ConfigDirectory,
                DataDirectory = args.DataDirectory,
                Network = args.Network,
                Hosts = hosts.Read(parse),
                Nat = nat.Read(parse),
            };

            InstallResult result;
            if (context.Terminal is { } terminal)
            {
                InstallResult? done = null;
                await terminal.Progress().StartAsync(async progress =>
                {
                    var task = progress.AddTask(
                        "Key transition", autoStart: false, maxValue: InvitationInstaller.TransitionWait.TotalSeconds);
                    done = await installer.InstallAsync(request, (elapsed, _) =>
                    {
                        task.StartTask();
                        task.Value = elapsed.TotalSeconds;
                    }, ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
                result = done!;
            }
            else
            {
                result = await installer.InstallAsync(request, null, ct).ConfigureAwait(false);
            }

            if (delete)
            {
                File.Delete(path);
                log.Info($"deleted invitation file '{path}'");
            }

            await context.Out.WriteLineAsync(
                $"[*] installed network '{networkName}' as interface {result.InterfaceName} (config {result.ConfigPath}).\n" +
                $"    Keep it up to date with: innernet up {result.InterfaceName} --daemon, " +
                $"or systemctl enable --now innernet@{result.InterfaceName}")
                .ConfigureAwait(false);
        }));
        return command;
    }
}
