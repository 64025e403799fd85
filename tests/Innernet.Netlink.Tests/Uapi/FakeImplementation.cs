using Innernet.Testing;

namespace Innernet.Netlink.Tests.Uapi;

/// <summary>
/// A stand-in for wireguard-go: an executable /bin/sh script in a temp dir. It appends one line per
/// run to <see cref="LogPath"/>: its arguments and the WG_TUN_NAME_FILE it received.
/// </summary>
internal sealed class FakeImplementation
{
    private FakeImplementation(string path, string logPath)
    {
        Path = path;
        LogPath = logPath;
    }

    public string Path { get; }

    public string LogPath { get; }

    public IReadOnlyList<string> Runs => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    /// <summary>Writes the script; <paramref name="body"/> runs after the log line.</summary>
    public static FakeImplementation Create(UapiTempDirectory dir, string body)
    {
        string path = dir.File("fake-wg-impl");
        string log = dir.File("fake-wg-impl.log");
        File.WriteAllText(path,
            "#!/bin/sh\n" +
            $"echo \"n=$# args=$* tun_name_file=${{WG_TUN_NAME_FILE:-unset}} foreground=${{WG_PROCESS_FOREGROUND:-unset}}\" >> '{log}'\n" +
            body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new FakeImplementation(path, log);
    }

    /// <summary>Waits (bounded) until the script has run <paramref name="count"/> times.</summary>
    public bool WaitForRuns(int count, TimeSpan timeout) => Eventually.Until(() => Runs.Count >= count, timeout);
}
