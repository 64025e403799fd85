using System.CommandLine;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>serve &lt;iface&gt;</c>: runs the coordination server (placeholder until the API lands).</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var command = new Command("serve", "Run the coordination server of a network") { iface };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => throw new CliUserException("not implemented yet")));
        _ = global;
        return command;
    }
}
