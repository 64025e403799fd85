using Innernet.Core.Model;
using Innernet.Core.Persistence;

namespace Innernet.Cli;

/// <summary>
/// How both CLIs pick a peer, a CIDR or an association (by the value on the command line, or by asking) and ask the
/// final confirmation: one set of messages and one <c>--yes</c> rule.
/// </summary>
internal static class Choose
{
    public static Peer Peer(IPrompter prompter, IReadOnlyList<Peer> candidates, string? name, string flag, string title)
        => Pick(prompter, candidates, name, flag, title, "peer", p => p.Name, p => $"{p.Name} ({p.Ip})");

    public static Cidr Cidr(IPrompter prompter, IReadOnlyList<Cidr> candidates, string? name, string flag, string title)
        => Pick(prompter, candidates, name, flag, title, "CIDR", c => c.Name, c => $"{c.Name} ({c.Network})");

    /// <summary>
    /// The association a <c>delete-association &lt;interface&gt; [cidr1] [cidr2]</c> means: the one between the two CIDRs
    /// named, or, when a name is missing, one chosen from the existing associations (those of <paramref name="first"/>
    /// when only it is given).
    /// </summary>
    public static Association Association(
        IPrompter prompter, IReadOnlyList<Cidr> cidrs, IReadOnlyList<Association> associations, string? first, string? second)
    {
        ArgumentNullException.ThrowIfNull(prompter);
        ArgumentNullException.ThrowIfNull(associations);
        if (first is not null && second is not null)
        {
            var a = Cidr(prompter, cidrs, first, "cidr1", "First CIDR");
            var b = Cidr(prompter, cidrs, second, "cidr2", "Second CIDR");
            return associations.FirstOrDefault(x => x.Links(a.Id, b.Id))
                ?? throw new CliUserException($"'{a.Name}' and '{b.Name}' are not associated", ExitCode.NotFound);
        }

        var choices = associations;
        if (first is not null)
        {
            var a = Cidr(prompter, cidrs, first, "cidr1", "First CIDR");
            choices = [.. associations.Where(x => x.CidrId1 == a.Id || x.CidrId2 == a.Id)];
        }

        if (choices.Count == 0)
        {
            throw new CliUserException("there is no association to choose from (association to delete)", ExitCode.NotFound);
        }

        return prompter.Select("cidr1 and cidr2", "Association to delete", choices, x => Describe(x, cidrs));
    }

    /// <summary>"'a' &lt;=&gt; 'b'" for an association, by the CIDRs' names (their ids when unknown).</summary>
    public static string Describe(Association association, IReadOnlyList<Cidr> cidrs)
    {
        ArgumentNullException.ThrowIfNull(association);
        ArgumentNullException.ThrowIfNull(cidrs);
        string Name(long id)
            => cidrs.FirstOrDefault(c => c.Id == id)?.Name ?? id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"'{Name(association.CidrId1)}' <=> '{Name(association.CidrId2)}'";
    }

    /// <summary>
    /// The confirmation of <c>add-association</c> and <c>delete-association</c>: as innernet, none when both CIDRs are on the
    /// command line; otherwise asked unless <paramref name="yes"/>.
    /// </summary>
    public static void ConfirmAssociation(IPrompter prompter, bool bothNamed, bool yes, bool add, string pair)
    {
        if (!bothNamed)
        {
            Confirm(prompter, yes, add ? $"Add association {pair}?" : $"Delete association {pair}?");
        }
    }

    /// <summary>Every peer but the server itself.</summary>
    public static IReadOnlyList<Peer> NonServer(IEnumerable<Peer> peers)
        => [.. peers.Where(p => p.Id != Core.Model.Peer.ServerId && p.Name != ServerStore.ServerName)];

    /// <summary>
    /// Asks to confirm unless <paramref name="yes"/>; a "no" aborts with exit code 1, and without a terminal the missing --yes is
    /// the error.
    /// </summary>
    public static void Confirm(IPrompter prompter, bool yes, string question)
    {
        ArgumentNullException.ThrowIfNull(prompter);
        if (!yes && !prompter.Confirm("--yes", question, defaultValue: true))
        {
            throw new CliUserException("cancelled", ExitCode.Failure);
        }
    }

    /// <summary>The candidate named <paramref name="name"/>, or, without a name, the one chosen at the prompt.</summary>
    private static T Pick<T>(
        IPrompter prompter, IReadOnlyList<T> candidates, string? name, string flag, string title, string kind, Func<T, string> nameOf,
        Func<T, string> display)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(prompter);
        ArgumentNullException.ThrowIfNull(candidates);
        string among = title.ToLowerInvariant();
        if (name is not null)
        {
            return candidates.FirstOrDefault(c => nameOf(c) == name)
                ?? throw new CliUserException($"{flag}: no {kind} named '{name}' to choose from ({among})", ExitCode.NotFound);
        }

        if (candidates.Count == 0)
        {
            throw new CliUserException($"there is no {kind} to choose from ({among})", ExitCode.NotFound);
        }

        return prompter.Select(flag, title, candidates, display);
    }
}
