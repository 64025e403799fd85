using Innernet.Cli;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary>Picks a peer or CIDR by its flag value, or by asking.</summary>
internal static class Choose
{
    public static Peer Peer(IPrompter prompter, IReadOnlyList<Peer> candidates, string? name, string flag, string title)
    {
        if (name is not null)
        {
            return candidates.FirstOrDefault(p => p.Name == name)
                ?? throw new CliUserException($"{flag}: no peer named '{name}' {title.ToLowerInvariant()}", ExitCode.NotFound);
        }

        if (candidates.Count == 0)
        {
            throw new CliUserException($"there is no peer to choose from ({title.ToLowerInvariant()})", ExitCode.NotFound);
        }

        return prompter.Select(flag, title, candidates, p => $"{p.Name} ({p.Ip})");
    }

    public static Cidr Cidr(IPrompter prompter, IReadOnlyList<Cidr> candidates, string? name, string flag, string title)
    {
        if (name is not null)
        {
            return candidates.FirstOrDefault(c => c.Name == name)
                ?? throw new CliUserException($"{flag}: no CIDR named '{name}' among {title.ToLowerInvariant()}", ExitCode.NotFound);
        }

        if (candidates.Count == 0)
        {
            throw new CliUserException($"there is no CIDR to choose from ({title.ToLowerInvariant()})", ExitCode.NotFound);
        }

        return prompter.Select(flag, title, candidates, c => $"{c.Name} ({c.Network})");
    }

    /// <summary>Every peer but the server itself.</summary>
    public static IReadOnlyList<Peer> NonServer(IEnumerable<Peer> peers)
        => peers.Where(p => p.Id != Core.Model.Peer.ServerId && p.Name != ServerStore.ServerName).ToList();

    /// <summary>Asks for confirmation unless --yes; without a terminal the missing --yes is the error.</summary>
    public static void Confirm(IPrompter prompter, bool yes, string question)
    {
        if (!yes && !prompter.Confirm("--yes", question, defaultValue: true))
        {
            throw new CliUserException("cancelled", ExitCode.Failure);
        }
    }
}
