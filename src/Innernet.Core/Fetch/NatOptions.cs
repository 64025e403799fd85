namespace Innernet.Core.Fetch;

/// <summary>innernet's <c>NatOpts</c>: NAT traversal and which local addresses to report as candidates.</summary>
public sealed record NatOptions
{
    /// <summary><c>--no-nat-traversal</c>: skip traversal (candidates are still reported).</summary>
    public bool NoTraversal { get; init; }

    /// <summary><c>--exclude-nat-candidates</c>: local addresses inside these networks are not reported.</summary>
    public IReadOnlyList<IPNetwork> ExcludeCandidates { get; init; } = [];

    /// <summary><c>--no-nat-candidates</c>: report no candidates at all.</summary>
    public bool NoCandidates { get; init; }
}
