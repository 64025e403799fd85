using Innernet.Client.Cli;
using Innernet.Core.Fetch;

namespace Innernet.Client.Commands;

/// <summary>Builds the fetcher and installer for a command from the context and the global options.</summary>
internal static class Lifecycle
{
    public static InterfaceFetcher Fetcher(ClientContext context, GlobalArgs globals, IInterfaceLayer layer)
        => new(layer, new ConsoleLog(context.Out, globals.Verbosity), context.ApiFactory, context.Time, context.Sleep, context.Resolve);

    public static FetchRequest Request(GlobalArgs globals, string name, HostsOptions hosts, NatOptions nat, bool bringUp) => new()
    {
        InterfaceName = name,
        ConfigDirectory = globals.ConfigDirectory,
        DataDirectory = globals.DataDirectory,
        Network = globals.Network,
        Hosts = hosts,
        Nat = nat,
        BringUp = bringUp,
    };
}
