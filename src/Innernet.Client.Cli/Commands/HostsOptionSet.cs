using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Fetch;

namespace Innernet.Client.Commands;

/// <summary>innernet's <c>HostsOpts</c> as options of one verb.</summary>
internal sealed class HostsOptionSet
{
    public Option<string> HostsPath { get; } = new("--hosts-path")
    {
        Description = "The hosts file to maintain",
        DefaultValueFactory = _ => HostsOptions.DefaultPath,
    };

    public Option<bool> NoWriteHosts { get; } = new("--no-write-hosts") { Description = "Do not write the peers into the hosts file" };

    public Option<string> HostSuffix { get; } = new("--host-suffix")
    {
        Description = "Host name suffix: <peer>.<suffix> ('' for the bare peer name; default <peer>.<interface>.wg)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(HostsPath);
        command.Options.Add(NoWriteHosts);
        command.Options.Add(HostSuffix);
    }

    public HostsOptions Read(ParseResult result)
    {
        bool noWrite = result.GetValue(NoWriteHosts);
        if (noWrite && result.GetResult(HostsPath) is { Implicit: false })
        {
            throw new CliUserException("--no-write-hosts cannot be combined with --hosts-path", ExitCode.Usage);
        }

        return new HostsOptions
        {
            Path = result.GetValue(HostsPath) ?? HostsOptions.DefaultPath,
            Write = !noWrite,
            Suffix = result.GetResult(HostSuffix) is { Implicit: false } ? result.GetValue(HostSuffix) ?? "" : null,
        };
    }
}
