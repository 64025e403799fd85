using Xunit;

namespace Innernet.Testing;

/// <summary>
/// The skip policy for privileged and environment-dependent tests: on a developer machine a missing
/// prerequisite skips the test with the reason; under <c>CI=true</c> it fails the test, so a
/// misconfigured runner can never pass by skipping.
/// </summary>
public static class Prerequisites
{
    public static bool IsCI =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        || Environment.GetEnvironmentVariable("CI") == "1";

    public static bool InVirtualMachine => Environment.GetEnvironmentVariable("KVM_RUN_GUEST") == "1";

    public static void Require(bool condition, string reason)
    {
        if (condition)
        {
            return;
        }

        if (IsCI)
        {
            Assert.Fail($"Prerequisite missing under CI=true (a skip is a failure here): {reason}");
        }

        Assert.Skip(reason);
    }

    public static void RequireRoot() =>
        Require(Environment.IsPrivilegedProcess, "needs root (network namespaces, netlink changes)");

    public static void RequireTun() =>
        Require(File.Exists("/dev/net/tun"), "needs /dev/net/tun");

    public static void RequireWireGuardGo()
    {
        RequireRoot();
        RequireTun();
        Require(FindOnPath("wireguard-go") is not null,
            "needs wireguard-go on PATH (./build.sh setup installs it)");
    }

    /// <summary>
    /// Whether the kernel has WireGuard loaded (or built in), read from the kernel's own lists: /sys/module/wireguard
    /// or a <c>wireguard</c> line in /proc/modules. Independent of the library's netlink lookups.
    /// </summary>
    public static bool KernelWireGuardLoaded
        => Directory.Exists("/sys/module/wireguard")
            || (File.Exists("/proc/modules") && File.ReadLines("/proc/modules").Any(l =>
                l.StartsWith("wireguard ", StringComparison.Ordinal)));

    public static void RequireKernelWireGuard()
    {
        RequireRoot();
        Require(KernelWireGuardLoaded,
            "kernel WireGuard module not loaded: the kernel layer runs inside the VM "
            + "(./build.sh test runs it via tests/harness/kvm-run.sh)");
    }

    public static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var dir in new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" })
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
