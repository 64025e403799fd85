using Innernet.Core.Model;
using Innernet.Core.Persistence;

namespace Innernet.Core.Tests.Persistence;

/// <summary>One empty database of an engine under test, for the store contract suite: create a network in it, reopen it.</summary>
public abstract class StoreDatabase : IDisposable
{
    /// <summary>A new network in this database (<see cref="ServerStore.Create(StoreEngine, NewNetwork)"/>).</summary>
    public abstract ServerStore Create(NewNetwork network);

    /// <summary>The network in this database, opened again (after the store that created it was disposed).</summary>
    public abstract ServerStore Open();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>A LiteDB file in a private temporary directory.</summary>
internal sealed class LiteDbTestDatabase : StoreDatabase
{
    private readonly TempDatabase _temp = new();

    public override ServerStore Create(NewNetwork network) => ServerStore.Create(_temp.Path, network);

    public override ServerStore Open() => ServerStore.Open(_temp.Path);

    protected override void Dispose(bool disposing)
    {
        _temp.Dispose();
        base.Dispose(disposing);
    }
}
