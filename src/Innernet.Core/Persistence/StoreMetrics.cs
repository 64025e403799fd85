using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Innernet.Core.Persistence;

/// <summary>
/// A store's instruments (System.Diagnostics.Metrics, built into .NET: Core depends on no metrics library; the server
/// exports them). Each <see cref="ServerStore"/> has a <see cref="Meter"/> of its own, all named <see cref="MeterName"/>,
/// so an exporter can take exactly one store's measurements by the meter instance (several stores live in one process in
/// tests and in <c>migrate</c>).
/// </summary>
internal sealed class StoreMetrics : IDisposable
{
    public const string MeterName = "Innernet.Store";

    /// <summary>The role of a store whose engine is its database's only writer.</summary>
    public const string SingleRole = "single";

    /// <summary>The role of a store sharing its database with other servers (<see cref="StoreEngine.IsReplica"/>).</summary>
    public const string ReplicaRole = "replica";

    /// <summary>
    /// Bucket bounds of the commit latency in seconds: an fsync on an SSD takes 0.1–2 ms, on a disk or through a remote
    /// database tens of milliseconds.
    /// </summary>
    private static readonly double[] CommitBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _commitFailures;

    public StoreMetrics(StoreEngine engine)
    {
        Meter = new Meter(MeterName);
        Engine = EngineName(engine);
        Role = engine.IsReplica ? ReplicaRole : SingleRole;
        _commitDuration = Meter.CreateHistogram(
            "innernet.store.commit.duration",
            unit: "s",
            description: "Time of one store transaction, from its start to its durable commit (a group commit carries several writes)",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CommitBuckets });
        _commitFailures = Meter.CreateCounter<long>(
            "innernet.store.commit.failures",
            unit: null,
            description: "Writes that failed on the database, none acknowledged: a transaction, or the audit-log read one needs first");
        if (engine.IsReplica)
        {
            Meter.CreateObservableGauge(
                "innernet.store.listening",
                () => engine.WatchProblem is null ? 1 : 0,
                unit: null,
                description: "1 while this replica hears the other replicas' commits, 0 while its listener is disconnected");
        }

        Meter.CreateObservableGauge(
            "innernet.store.info",
            () => new Measurement<int>(
                1, new KeyValuePair<string, object?>("engine", Engine), new KeyValuePair<string, object?>("role", Role)),
            unit: null,
            description: "Always 1: the store engine and the store's role as labels");
    }

    public Meter Meter { get; }

    /// <summary>The engine's short name, lowercase: "litedb", "postgresql" (its class name without "StoreEngine").</summary>
    public string Engine { get; }

    /// <summary><see cref="SingleRole"/> or <see cref="ReplicaRole"/>.</summary>
    public string Role { get; }

    /// <summary>A transaction that started at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) committed.</summary>
    public void Committed(long started) => _commitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);

    /// <summary>
    /// A transaction failed (rolled back, or it could not be: either way nothing of it was acknowledged), or the read
    /// that numbers a write's audit entry did.
    /// </summary>
    public void CommitFailed() => _commitFailures.Add(1);

    public void Dispose() => Meter.Dispose();

    private static string EngineName(StoreEngine engine)
    {
        const string suffix = nameof(StoreEngine);
        string name = engine.GetType().Name;
        return (name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length ? name[..^suffix.Length] : name)
            .ToLowerInvariant();
    }
}
