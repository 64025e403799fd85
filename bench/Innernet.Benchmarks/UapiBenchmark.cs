using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Benchmarks;

/// <summary>
/// Host: wireguard-go started by a <see cref="NetnsLab"/> inside its own namespace; our UAPI backend and
/// wg(8) both talk to its socket in /run/wireguard (shared by all namespaces).
/// </summary>
internal static class UapiBenchmark
{
    public static List<ResultRow> Run(IReadOnlyList<int> peerCounts, int runs)
    {
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace("bench");
        string device = lab.InterfaceName("b0");
        lab.StartWireGuardGo(ns, device, logLevel: "error");
        string version = ProcessRunner.Run("wireguard-go", ["--version"]).StandardOutput.Split('\n')[0].Trim();
        using var control = new UserspaceWireGuardClient(new WireGuardClientOptions { SocketDirectory = WireGuardGoSockets.Directory });
        // Peer removal is cheap in wireguard-go: one device, emptied (untimed) before each run.
        string Empty()
        {
            control.ConfigureDevice(device, PeerWorkload.Clear);
            return device;
        }

        return OursVersusWg.Run("uapi", $"host, {version}", control, Empty, peerCounts, runs);
    }
}
