using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Benchmarks;

/// <summary>
/// The measured scenarios, identical for both backends: apply N peers (replace-peers from empty) and
/// read the device back, once through our <see cref="WireGuardClient"/>, once through
/// <c>wg setconf</c> / <c>wg show IF dump</c> talking to the same device. wg's numbers include its
/// process start; the cost of a trivial <c>wg show IF listen-port</c> is reported alongside.
/// </summary>
internal static class OursVersusWg
{
    private static readonly TimeSpan WgTimeout = TimeSpan.FromMinutes(5);

    /// <param name="emptyDevice">
    /// Returns the name of an empty device to apply to (untimed). The kernel benchmark makes a new
    /// device each time: removing peers costs one RCU grace period per peer in the kernel
    /// (<c>netif_napi_del</c> → <c>synchronize_net</c>), minutes for 10,000 peers under TCG.
    /// </param>
    public static List<ResultRow> Run(string backend, string note, WireGuardClient control, Func<string> emptyDevice, IReadOnlyList<int> peerCounts, int runs)
    {
        ProcessResult Wg(params string[] args) => ProcessRunner.Run("wg", args, WgTimeout).EnsureSuccess();

        var rows = new List<ResultRow>();
        string device = emptyDevice();
        foreach (int count in peerCounts)
        {
            using var workload = new PeerWorkload(count);
            void Reset() => device = emptyDevice();

            var (oursApply, wgApply) = Measure.PairedMedians(runs, Reset,
                () => control.ConfigureDevice(device, workload.Apply),
                () => Wg("setconf", device, workload.ConfigFile));
            Check(count, WgDumpPeers(Wg("show", device, "dump")), "wg show dump after the last apply");
            Check(count, control.GetDevice(device)?.Peers.Count ?? -1, "our read after the last apply");

            var (oursRead, wgRead) = Measure.PairedMedians(runs, () => { },
                () => Check(count, control.GetDevice(device)?.Peers.Count ?? -1, "our read"),
                () => Check(count, WgDumpPeers(Wg("show", device, "dump")), "wg show dump"));

            rows.Add(new ResultRow(backend, count, "apply", oursApply, wgApply, runs, note));
            rows.Add(new ResultRow(backend, count, "read", oursRead, wgRead, runs, note));
            Console.Error.WriteLine(rows[^2].Describe());
            Console.Error.WriteLine(rows[^1].Describe());

            // The library's second consumer as users run it: a whole `WgSharp show IF dump` process (JIT start
            // included) against a whole `wg show IF dump`.
            if (WgSharpDll is { } dll)
            {
                var (sharpShow, wgShow) = Measure.PairedMedians(runs, () => { },
                    () => Check(count, WgDumpPeers(WgSharp(dll, "show", device, "dump")), "WgSharp show dump"),
                    () => Check(count, WgDumpPeers(Wg("show", device, "dump")), "wg show dump"));
                rows.Add(new ResultRow(backend, count, ShowOperation, sharpShow, wgShow, runs, note));
                Console.Error.WriteLine(rows[^1].Describe());
            }
        }

        // Measured last, when everything is warm: the fixed cost of starting wg at all.
        double spawn = Measure.PairedMedians(runs, () => { }, () => { }, () => Wg("show", device, "listen-port")).WgMs;
        return [.. rows.Select(r => r with { Note = $"{r.Note}; wg process baseline {spawn:0.0} ms" })];
    }

    /// <summary>The operation name of the WgSharp rows (they carry no goal: both sides are a process start).</summary>
    public const string ShowOperation = "show (WgSharp process)";

    /// <summary>samples/WgSharp as the build lays it out next to this benchmark; null when it was not built.</summary>
    private static string? WgSharpDll =>
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "WgSharp", "release", "WgSharp.dll")) is var path
        && File.Exists(path) ? path : null;

    /// <summary>Runs WgSharp with the same dotnet host that runs this benchmark (also inside the VM).</summary>
    private static ProcessResult WgSharp(string dll, params string[] args) =>
        ProcessRunner.Run(Environment.ProcessPath!, [dll, .. args], WgTimeout).EnsureSuccess();

    private static int WgDumpPeers(ProcessResult dump) =>
        dump.StandardOutput.AsSpan().Count('\n') - 1; // first line is the interface

    private static void Check(int expected, int actual, string what)
    {
        if (expected != actual)
        {
            throw new InvalidOperationException($"{what}: expected {expected} peers, found {actual}");
        }
    }
}
