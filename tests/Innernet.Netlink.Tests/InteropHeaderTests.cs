using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Testing;

namespace Innernet.Netlink.Tests;

/// <summary>
/// Compiles a C program against the installed kernel UAPI headers that prints every constant and every
/// struct size/offset declared under Interop/ (found by reflection, so nothing is forgotten) and compares.
/// </summary>
public class InteropHeaderTests
{
    private static readonly Type[] HeaderClasses =
    [
        typeof(LinuxNetlink), typeof(LinuxGenetlink), typeof(LinuxRtnetlink), typeof(LinuxIfLink), typeof(LinuxIfAddr),
        typeof(LinuxWireGuard),
    ];

    /// <summary>Names newer than the installed headers (6.1): WGALLOWEDIP_A_FLAGS and WGALLOWEDIP_F_REMOVE_ME arrived in 6.16.</summary>
    private static readonly HashSet<string> NewerThanHeaders = ["WGALLOWEDIP_A_FLAGS", "WGALLOWEDIP_F_REMOVE_ME"];

    [Fact]
    public void InteropConstantsAndLayouts_MatchKernelHeaders()
    {
        string? gcc = Prerequisites.FindOnPath("gcc");
        Prerequisites.Require(gcc is not null && File.Exists("/usr/include/linux/wireguard.h"),
            "needs gcc and the kernel UAPI headers (/usr/include/linux/*.h)");

        var expected = new Dictionary<string, string>();
        var program = new StringBuilder();
        program.AppendLine("""
            #include <stdio.h>
            #include <stddef.h>
            #include <errno.h>
            #include <sys/socket.h>
            #include <linux/netlink.h>
            #include <linux/genetlink.h>
            #include <linux/rtnetlink.h>
            #include <linux/if.h>
            #include <linux/if_link.h>
            #include <linux/if_addr.h>
            #include <linux/wireguard.h>
            int main(void) {
            """);

        foreach (Type header in HeaderClasses)
        {
            foreach (FieldInfo field in header.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
            {
                if (!IsKernelName(field.Name))
                {
                    continue;
                }

                object value = field.GetRawConstantValue()!;
                if (value is string text)
                {
                    program.AppendLine($"  printf(\"{field.Name}=%s\\n\", {field.Name});");
                    expected[field.Name] = text;
                }
                else if (field.Name == "NLA_TYPE_MASK")
                {
                    // In C it is an int expression (~(...) = -49153); it is used as a 16-bit mask.
                    program.AppendLine($"  printf(\"{field.Name}=%lld\\n\", (long long)(unsigned short)({field.Name}));");
                    expected[field.Name] = Convert.ToInt64(value).ToString();
                }
                else
                {
                    program.AppendLine($"  printf(\"{field.Name}=%lld\\n\", (long long)({field.Name}));");
                    expected[field.Name] = Convert.ToInt64(value).ToString();
                }
            }

            foreach (Type nested in header.GetNestedTypes(BindingFlags.Public))
            {
                if (nested.IsEnum)
                {
                    foreach (string name in Enum.GetNames(nested).Where(n => !NewerThanHeaders.Contains(n)))
                    {
                        program.AppendLine($"  printf(\"{name}=%lld\\n\", (long long)({name}));");
                        expected[name] = Convert.ToInt64(Enum.Parse(nested, name)).ToString();
                    }
                }
                else if (nested.IsValueType)
                {
                    string sizeKey = $"sizeof({nested.Name})";
                    program.AppendLine($"  printf(\"{sizeKey}=%zu\\n\", sizeof(struct {nested.Name}));");
                    expected[sizeKey] = Marshal.SizeOf(nested).ToString();
                    foreach (FieldInfo f in nested.GetFields(BindingFlags.Public | BindingFlags.Instance))
                    {
                        string key = $"offsetof({nested.Name},{f.Name})";
                        program.AppendLine($"  printf(\"{key}=%zu\\n\", offsetof(struct {nested.Name}, {f.Name}));");
                        expected[key] = Marshal.OffsetOf(nested, f.Name).ToString();
                        string fieldSizeKey = $"sizeof({nested.Name}.{f.Name})";
                        program.AppendLine($"  printf(\"{fieldSizeKey}=%zu\\n\", sizeof(((struct {nested.Name}*)0)->{f.Name}));");
                        expected[fieldSizeKey] = Marshal.SizeOf(f.FieldType).ToString();
                    }
                }
            }
        }

        foreach (Errno errno in Enum.GetValues<Errno>())
        {
            program.AppendLine($"  printf(\"errno {errno}=%d\\n\", {errno});");
            expected[$"errno {errno}"] = ((int)errno).ToString();
        }

        program.AppendLine("  return 0;\n}");
        Dictionary<string, string> actual = CompileAndRun(gcc!, program.ToString());

        var mismatches = expected
            .Where(kv => !actual.TryGetValue(kv.Key, out string? v) || v != kv.Value)
            .Select(kv => $"{kv.Key}: C# {kv.Value}, C {(actual.TryGetValue(kv.Key, out string? v) ? v : "(missing)")}")
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.True(expected.Count > 150, $"only {expected.Count} items compared");
    }

    [Fact]
    public void ProtocolHeaderSizes_MatchInteropStructs()
    {
        Assert.Equal(NlMsgHeader.Size, Marshal.SizeOf<LinuxNetlink.nlmsghdr>());
        Assert.Equal(GenlMsgHeader.Size, Marshal.SizeOf<LinuxGenetlink.genlmsghdr>());
        Assert.Equal(IfInfoMsg.Size, Marshal.SizeOf<LinuxRtnetlink.ifinfomsg>());
        Assert.Equal(IfAddrMsg.Size, Marshal.SizeOf<LinuxIfAddr.ifaddrmsg>());
        Assert.Equal(RtMsg.Size, Marshal.SizeOf<LinuxRtnetlink.rtmsg>());
        Assert.Equal(LinuxNetlink.NLMSG_HDRLEN, NlMsgHeader.Size);
        Assert.Equal(LinuxGenetlink.GENL_HDRLEN, GenlMsgHeader.Size);
    }

    private static bool IsKernelName(string name) =>
        !NewerThanHeaders.Contains(name) && name.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_');

    private static Dictionary<string, string> CompileAndRun(string gcc, string source)
    {
        string dir = Directory.CreateTempSubdirectory("inn-interop-").FullName;
        try
        {
            string c = Path.Combine(dir, "probe.c");
            string exe = Path.Combine(dir, "probe");
            File.WriteAllText(c, source);
            (int code, string output, string error) = Run(gcc, $"-std=gnu11 -o {exe} {c}");
            Assert.True(code == 0, $"gcc failed:\n{error}\n{source}");
            (code, output, error) = Run(exe, "");
            Assert.True(code == 0, error);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('=', 2))
                .ToDictionary(p => p[0], p => p[1]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Code, string Output, string Error) Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
