using System.CommandLine;
using Innernet.Cli;

namespace Innernet.Server.Cli;

/// <summary>
/// The global options, all recursive: accepted before or after the verb, and <c>serve</c> honours them
/// (innernet ignores the global network options there). The directories are made absolute.
/// </summary>
internal sealed class GlobalOptions
{
    private readonly CommonGlobalOptions _common = new(
        GlobalArgs.DefaultConfigDirectory,
        GlobalArgs.DefaultDataDirectory,
        "Directory of the network databases (and the running server's admin socket)");

    public IEnumerable<Option> All => _common.All;

    public GlobalArgs Read(ParseResult result)
    {
        var network = _common.ReadNetwork(result);
        return new GlobalArgs(
            Path.GetFullPath(_common.ReadConfigDirectory(result)),
            Path.GetFullPath(_common.ReadDataDirectory(result)),
            network);
    }
}
