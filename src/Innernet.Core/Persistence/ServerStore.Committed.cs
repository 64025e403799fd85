namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>The current committed state as one consistent whole (a live change feed compares successive ones).</summary>
    public CommittedState GetCommitted() => new(Current);
}
