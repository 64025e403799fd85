using System.Globalization;
using System.Security.Cryptography;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Benchmarks;

/// <summary>
/// Kernel module (inside the VM): this process must already run in a network namespace of its own
/// (bench.sh starts it with <c>ip netns exec</c>), so both our genl socket and the wg(8) children act
/// there with no extra setns/exec cost on either side.
/// </summary>
internal static class KernelBenchmark
{
    public static List<ResultRow> Run(IReadOnlyList<int> peerCounts, int runs)
    {
        if (File.ResolveLinkTarget("/proc/self/ns/net", false)?.Name == File.ResolveLinkTarget("/proc/1/ns/net", false)?.Name)
        {
            throw new InvalidOperationException("kernel benchmark refuses to run in the initial network namespace; run it through tests/harness/bench.sh");
        }

        using var control = KernelWireGuardClient.TryOpen()
            ?? throw new InvalidOperationException("no wireguard Generic Netlink family: run inside the VM (tests/harness/bench.sh)");
        string prefix = NetnsLab.NamePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)) + "k";
        int counter = 0;
        string Empty()
        {
            string device = prefix + (++counter).ToString(CultureInfo.InvariantCulture);
            if (!control.CreateDevice(device))
            {
                throw new InvalidOperationException($"{device} already exists");
            }

            return device;
        }

        // The devices are left to the VM's power-off: deleting them would remove every peer, one RCU
        // grace period each (see OursVersusWg), for nothing.
        string note = $"VM {Environment.GetEnvironmentVariable("BENCH_VM_ACCEL") ?? "(accel unknown)"}, kernel {Environment.OSVersion.Version}, {Environment.ProcessorCount} vCPUs; a new device per apply run";
        return OursVersusWg.Run("kernel", note, control, Empty, peerCounts, runs);
    }
}
