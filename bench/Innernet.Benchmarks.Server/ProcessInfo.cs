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

    /// <summary>
    /// Which pages of each file-backed mapping are resident (/proc/&lt;pid&gt;/pagemap, bit 63): one line per mapping,
    /// its /proc maps line, "resident N of M pages" and the resident page numbers (from the mapping's start). Shows
    /// where in an executable's sections the resident pages lie (symbols from its .dbg: <c>nm -n</c>). Needs root.
    /// </summary>
    public static void WriteResidentPages(int pid, string path)
    {
        const int PageSize = 4096;
        const ulong Present = 1UL << 63;
        using var pagemap = new FileStream($"/proc/{pid}/pagemap", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        using var output = new StreamWriter(path);
        foreach (string line in File.ReadAllLines($"/proc/{pid}/maps"))
        {
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !fields[5].StartsWith('/'))
            {
                continue;
            }

            string[] range = fields[0].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int pages = (int)((end - start) / PageSize);
            byte[] entries = new byte[pages * sizeof(ulong)];
            pagemap.Position = (long)(start / PageSize * sizeof(ulong));
            pagemap.ReadExactly(entries);
            var resident = new List<int>();
            for (int i = 0; i < pages; i++)
            {
                if ((BitConverter.ToUInt64(entries, i * sizeof(ulong)) & Present) != 0)
                {
                    resident.Add(i);
                }
            }

            output.WriteLine($"{line.Trim()} | resident {resident.Count} of {pages} pages: {string.Join(',', resident)}");
        }
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
