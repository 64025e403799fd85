using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Fetch;

namespace Innernet.Client.Commands;

/// <summary>innernet's <c>NatOpts</c> as options of one verb.</summary>
internal sealed class NatOptionSet
{
    public Option<bool> NoNatTraversal { get; } = new("--no-nat-traversal")
    {
        Description = "Do not try the peers' NAT candidates (candidates are still reported)",
    };

    public Option<string[]> ExcludeNatCandidates { get; } = new("--exclude-nat-candidates")
    {
        Description = "Do not report local addresses inside this CIDR (repeatable)",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> NoNatCandidates { get; } = new("--no-nat-candidates") { Description = "Report no NAT candidates at all" };

    public void AddTo(Command command)
    {
        command.Options.Add(NoNatTraversal);
        command.Options.Add(ExcludeNatCandidates);
        command.Options.Add(NoNatCandidates);
    }

    public NatOptions Read(ParseResult result)
    {
        string[] excluded = result.GetValue(ExcludeNatCandidates) ?? [];
        bool none = result.GetValue(NoNatCandidates);
        if (none && excluded.Length > 0)
        {
            throw new CliUserException("--no-nat-candidates cannot be combined with --exclude-nat-candidates", ExitCode.Usage);
        }

        var networks = new List<IPNetwork>();
        foreach (string text in excluded)
        {
            if (!IPNetwork.TryParse(text, out var network))
            {
                throw new CliUserException($"--exclude-nat-candidates: '{text}' is not a CIDR (e.g. 10.0.0.0/8)", ExitCode.Usage);
            }

            networks.Add(network);
        }

        return new NatOptions { NoTraversal = result.GetValue(NoNatTraversal), ExcludeCandidates = networks, NoCandidates = none };
    }
}
