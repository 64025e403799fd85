using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Fetch;

namespace Innernet.Client.Cli;

/// <summary>
/// The global options, all recursive (accepted before or after the verb), plus <c>-v</c>. A verb's own short
/// option wins after the verb: <c>inn -d /data install x.toml -d</c> is the data dir, then <c>--delete-invite</c>.
/// </summary>
internal sealed class GlobalOptions
{
    private readonly CommonGlobalOptions _common = new(
        ClientPaths.DefaultConfigDirectory, ClientPaths.DefaultDataDirectory, "Directory of the peer caches");

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "More output (repeatable): debug lines, full keys",
        Arity = ArgumentArity.Zero,
        Recursive = true,
    };

    public IEnumerable<Option> All => [.. _common.All, Verbose];

    public GlobalArgs Read(ParseResult result)
    {
        var network = _common.ReadNetwork(result);
        int verbosity = result.Tokens.Count(t => t.Value is "-v" or "--verbose");
        return new GlobalArgs(_common.ReadConfigDirectory(result), _common.ReadDataDirectory(result), network, verbosity);
    }
}
