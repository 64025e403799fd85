namespace Innernet.Benchmarks.Server;

/// <summary>Memory and CPU of a process from /proc (Linux).</summary>
internal static class ProcessInfo
{
    private const double ClockTicksPerSecond = 100; // USER_HZ: what /proc/<pid>/stat counts in on Linux
    private const int UtimeField = 13; // 0-based after splitting the fields that follow "(comm)"; stat(5) fields 14 and 15
    private const int FieldsBeforeState = 2;

    /// <summary>A <c>/proc/&lt;pid&gt;/status</c> value in kB (e.g. <c>VmHWM</c>, <c>VmRSS</c>); null when the process is gone.</summary>
    public static long? StatusKb(int pid, string key)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }

        foreach (string line in lines)
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                string value = line[(key.Length + 1)..].Trim();
                int space = value.IndexOf(' ', StringComparison.Ordinal);
                return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>User + system CPU time the process has used so far, in milliseconds; null when it is gone.</summary>
    public static double? CpuMs(int pid) => Cpu(pid) is { } cpu ? cpu.UserMs + cpu.SystemMs : null;

    /// <summary>System (kernel) CPU time the process has used so far, in milliseconds; null when it is gone.</summary>
    public static double? SystemCpuMs(int pid) => Cpu(pid)?.SystemMs;

    /// <summary>The 1-minute load average (<c>/proc/loadavg</c>).</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static (double UserMs, double SystemMs)? Cpu(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // The command name may contain spaces and parentheses: the fields start after the last ')'.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        int utime = UtimeField - FieldsBeforeState;
        long user = long.Parse(fields[utime], CultureInfo.InvariantCulture);
        long system = long.Parse(fields[utime + 1], CultureInfo.InvariantCulture);
        return (user * 1000 / ClockTicksPerSecond, system * 1000 / ClockTicksPerSecond);
    }

    /// <summary>The command name (<c>/proc/&lt;pid&gt;/comm</c>), or null.</summary>
    public static string? Command(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
