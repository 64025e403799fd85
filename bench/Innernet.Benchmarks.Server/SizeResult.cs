namespace Innernet.Benchmarks.Server;

/// <summary>Everything measured for one network size.</summary>
internal sealed record SizeResult(
    BenchNetwork Network,
    TimeSpan Populate,
    InProcessTimings InProcess,
    StartupResult Startup,
    ViewResult FewHundred,
    ViewResult All,
    AdminControlResult AdminControl,
    long PeakAfterStateKb,
    long PeakRssKb,
    TimeSpan Elapsed);
