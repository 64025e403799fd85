using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Benchmarks;

/// <summary>
/// The measured scenarios, identical for both backends: apply N peers (replace-peers from empty) and
/// read the device back, once through our <see cref="IWireGuardControl"/>, once through
/// <c>wg setconf</c> / <c>wg show IF dump</c> talking to the same device. wg's numbers include its
/// process start; the cost of a trivial <c>wg show IF listen-port</c> is reported alongside.
/// </summary>
internal static class OursVersusWg
{
    private static readonly TimeSpan WgTimeout = TimeSpan.FromMinutes(5);

    public static List<ResultRow> Run(string backend, string note, IWireGuardControl control, string device, IReadOnlyList<int> peerCounts, int runs)
    {
        ProcessResult Wg(params string[] args) => ProcessRunner.Run("wg", args, WgTimeout).EnsureSuccess();

        var rows = new List<ResultRow>();
        double spawn = Measure.MedianMs(runs, () => { }, () => Wg("show", device, "listen-port"));
        foreach (int count in peerCounts)
        {
            using var workload = new PeerWorkload(count);
            void Reset() => control.ConfigureDevice(device, PeerWorkload.Clear);

            double oursApply = Measure.MedianMs(runs, Reset, () => control.ConfigureDevice(device, workload.Apply));
            Check(count, WgDumpPeers(Wg("show", device, "dump")), "wg show dump after our apply");
            double wgApply = Measure.MedianMs(runs, Reset, () => Wg("setconf", device, workload.ConfigFile));
            Check(count, control.GetDevice(device)?.Peers.Count ?? -1, "our read after wg setconf");

            double oursRead = Measure.MedianMs(runs, () => { }, () => Check(count, control.GetDevice(device)?.Peers.Count ?? -1, "our read"));
            double wgRead = Measure.MedianMs(runs, () => { }, () => Check(count, WgDumpPeers(Wg("show", device, "dump")), "wg show dump"));
            Reset();

            string rowNote = $"{note}; wg process baseline {spawn:0.0} ms";
            rows.Add(new ResultRow(backend, count, "apply", oursApply, wgApply, runs, rowNote));
            rows.Add(new ResultRow(backend, count, "read", oursRead, wgRead, runs, rowNote));
            Console.Error.WriteLine(rows[^2].Describe());
            Console.Error.WriteLine(rows[^1].Describe());
        }

        return rows;
    }

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
