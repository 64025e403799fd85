using Innernet.Core.Model;

namespace Innernet.Benchmarks.Live;

/// <summary>
/// What a benchmark client does with each message of its stream, after parsing it and before the receipt is
/// timed: the propagation measured ends when this returns. Swap in a sink that applies updates to a (fake) device
/// to measure to "applied" instead of "received and parsed".
/// </summary>
internal interface IUpdateSink
{
    /// <summary>Client <paramref name="client"/> got <paramref name="update"/>. Called concurrently for different clients.</summary>
    void Apply(int client, StateUpdate update);
}

/// <summary>Parsing only: the update is dropped once read.</summary>
internal sealed class ParseOnlySink : IUpdateSink
{
    public void Apply(int client, StateUpdate update) => GC.KeepAlive(update);
}
