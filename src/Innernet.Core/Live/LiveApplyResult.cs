using Innernet.Core.Sync;

namespace Innernet.Core.Live;

/// <summary>What applying one difference of the state stream did.</summary>
/// <param name="Gap">
/// True when the difference was for another version than the one held (a missed message): nothing was applied and
/// the client must resynchronise from a full view.
/// </param>
/// <param name="Diff">The device update (only the changed peers) that was applied; null for a gap.</param>
public sealed record LiveApplyResult(bool Gap, PeerDiff? Diff)
{
    /// <summary>The result for a missed message.</summary>
    public static LiveApplyResult Missed { get; } = new(true, null);
}
