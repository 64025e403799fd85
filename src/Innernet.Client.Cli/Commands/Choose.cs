using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Model;

namespace Innernet.Client.Commands;

/// <summary>Picks a peer or CIDR by its flag value, or by prompt; and the final confirmation.</summary>
internal static class Choose
{
    public static Peer Peer(IPrompter prompter, IReadOnlyList<Peer> candidates, string? name, string flag, string title)
    {
        if (name is not null)
        {
            return candidates.FirstOrDefault(p => p.Name == name)
                ?? throw new CliUserException($"no peer named '{name}' can be chosen here ({flag})", ExitCode.NotFound);
        }

        if (candidates.Count == 0)
        {
            throw new CliUserException($"{title}: there is no peer to choose from", ExitCode.NotFound);
        }

        return prompter.Select(flag, title, candidates, p => $"{p.Name} ({p.Ip})");
    }

    public static Cidr Cidr(IPrompter prompter, IReadOnlyList<Cidr> candidates, string? name, string flag, string title)
    {
        if (name is not null)
        {
            return candidates.FirstOrDefault(c => c.Name == name)
                ?? throw new CliUserException($"no CIDR named '{name}' can be chosen here ({flag})", ExitCode.NotFound);
        }

        if (candidates.Count == 0)
        {
            throw new CliUserException($"{title}: there is no CIDR to choose from", ExitCode.NotFound);
        }

        return prompter.Select(flag, title, candidates, c => $"{c.Name} ({c.Network})");
    }

    /// <summary>Peers other than the server (peer 1).</summary>
    public static IReadOnlyList<Peer> NonServer(IEnumerable<Peer> peers) => [.. peers.Where(p => p.Id != Core.Model.Peer.ServerId)];

    /// <summary>Asks to confirm unless <paramref name="yes"/>; a "no" aborts with exit code 1.</summary>
    public static void Confirm(IPrompter prompter, bool yes, string question)
    {
        if (!yes && !prompter.Confirm("--yes", question, defaultValue: true))
        {
            throw new CliUserException("cancelled");
        }
    }
}
