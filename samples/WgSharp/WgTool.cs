using System.Runtime.InteropServices;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;

namespace WgSharp;

/// <summary>
/// The commands: <c>show</c>, <c>showconf</c>, <c>set</c>, <c>setconf</c>, <c>addconf</c>, with wg's arguments, output,
/// messages and exit codes (0, or 1 for any failure). Everything it knows about devices comes from
/// <see cref="WireGuardClient"/>.
/// </summary>
internal sealed class WgTool
{
    public const string ProgramName = "WgSharp";

    private const string SetUsage =
        "[listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] "
        + "[preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] "
        + "[allowed-ips <ip1>/<cidr1>[,<ip2>/<cidr2>]...] ]...";

    private static readonly (string Name, string Description)[] Commands =
    [
        ("show", "Shows the current configuration and device information"),
        ("showconf", "Shows the current configuration of a given WireGuard interface, for use with `setconf'"),
        ("set", "Change the current configuration, add peers, remove peers, or change peers"),
        ("setconf", "Applies a configuration file to a WireGuard interface"),
        ("addconf", "Appends a configuration file to a WireGuard interface"),
    ];

    private readonly Func<WireGuardClient> _open;
    private readonly Func<bool> _kernelAvailable;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly TimeProvider _time;
    private readonly Terminal _terminal;
    private readonly bool _revealKeys;

    /// <param name="open">Opens the client every command works through.</param>
    /// <param name="kernelAvailable">Whether the kernel's WireGuard family is there: wg asks the kernel about any device
    /// without a UAPI socket, so a missing device is ENODEV with the module and EPROTONOSUPPORT without it.</param>
    /// <param name="stdout">Where output goes.</param>
    /// <param name="stderr">Where messages go.</param>
    /// <param name="time">The clock for handshake ages.</param>
    /// <param name="terminal">Colours or none.</param>
    /// <param name="revealKeys">Print private and preshared keys in <c>show</c> (<c>WG_HIDE_KEYS=never</c>).</param>
    public WgTool(
        Func<WireGuardClient> open, Func<bool> kernelAvailable, TextWriter stdout, TextWriter stderr, TimeProvider time, Terminal terminal,
        bool revealKeys)
    {
        _open = open;
        _kernelAvailable = kernelAvailable;
        _out = stdout;
        _error = stderr;
        _time = time;
        _terminal = terminal;
        _revealKeys = revealKeys;
    }

    /// <summary>The tool as wg sets itself up: colours from <c>WG_COLOR_MODE</c> (else whether stdout is a terminal),
    /// keys shown when <c>WG_HIDE_KEYS</c> is <c>never</c>, the system clock.</summary>
    public static WgTool Create(
        Func<string, string?> environment, Func<WireGuardClient> open, Func<bool> kernelAvailable, TextWriter stdout, TextWriter stderr,
        bool outputIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new WgTool(
            open,
            kernelAvailable,
            stdout,
            stderr,
            TimeProvider.System,
            Terminal.FromEnvironment(environment, outputIsTerminal),
            revealKeys: environment(DeviceText.HideKeysVariable) == "never");
    }

    public int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            return Show([]);
        }

        string[] rest = [.. args.Skip(1)];
        switch (args[0])
        {
            case "-h" or "--help" or "help" when args.Count == 1:
                Usage(_out);
                return 0;
            case "show":
                return Show(rest);
            case "showconf":
                return ShowConf(rest);
            case "set":
                return Set(rest);
            case "setconf":
                return SetConf(rest, append: false, "setconf");
            case "addconf":
                return SetConf(rest, append: true, "addconf");
            default:
                _error.Write($"Invalid subcommand: `{args[0]}'\n");
                Usage(_error);
                return 1;
        }
    }

    private int Show(string[] args)
    {
        void ShowUsage() => _error.Write(
            $"Usage: {ProgramName} show {{ <interface> | all | interfaces }} [{string.Join(" | ", DeviceText.Fields)}]\n");

        if (args.Length > 2)
        {
            ShowUsage();
            return 1;
        }

        if (args.Length == 1 && args[0] is "-h" or "--help" or "help")
        {
            ShowUsage();
            return 0;
        }

        using var wg = _open();
        if (args.Length == 0 || args[0] == "all")
        {
            return ShowAll(wg, args.Length == 2 ? args[1] : null, ShowUsage);
        }

        if (args[0] == "interfaces")
        {
            if (args.Length > 1)
            {
                ShowUsage();
                return 1;
            }

            var names = wg.ListDevices();
            if (names.Count > 0)
            {
                _out.Write(string.Join(' ', names) + "\n");
            }

            return 0;
        }

        var device = Get(wg, args[0], out string? failure);
        if (device is null)
        {
            _error.Write($"Unable to access interface: {failure}\n");
            return 1;
        }

        if (args.Length == 1)
        {
            _out.Write(DeviceText.Pretty(device, _terminal, _revealKeys, _time.GetUtcNow()));
            return 0;
        }

        return WriteField(device, args[1], withInterface: false, ShowUsage) ? 0 : 1;
    }

    private int ShowAll(WireGuardClient wg, string? field, Action showUsage)
    {
        var names = wg.ListDevices();
        int result = names.Count > 0 ? 1 : 0; // 1 only when no device could be read
        for (int i = 0; i < names.Count; i++)
        {
            var device = Get(wg, names[i], out string? failure);
            if (device is null)
            {
                _error.Write($"Unable to access interface {names[i]}: {failure}\n");
                continue;
            }

            if (field is not null)
            {
                if (!WriteField(device, field, withInterface: true, showUsage))
                {
                    return 1;
                }
            }
            else
            {
                _out.Write(DeviceText.Pretty(device, _terminal, _revealKeys, _time.GetUtcNow()));
                if (i < names.Count - 1)
                {
                    _out.Write('\n');
                }
            }

            result = 0;
        }

        return result;
    }

    private bool WriteField(WireGuardDevice device, string field, bool withInterface, Action showUsage)
    {
        if (DeviceText.Field(device, field, withInterface) is { } text)
        {
            _out.Write(text);
            return true;
        }

        _error.Write($"Invalid parameter: `{field}'\n");
        showUsage();
        return false;
    }

    private int ShowConf(string[] args)
    {
        if (args.Length != 1)
        {
            _error.Write($"Usage: {ProgramName} showconf <interface>\n");
            return 1;
        }

        using var wg = _open();
        var device = Get(wg, args[0], out string? failure);
        if (device is null)
        {
            _error.Write($"Unable to access interface: {failure}\n");
            return 1;
        }

        _out.Write(DeviceText.ShowConf(device));
        return 0;
    }

    private int Set(string[] args)
    {
        if (args.Length < 2)
        {
            _error.Write($"Usage: {ProgramName} set <interface> {SetUsage}\n");
            return 1;
        }

        DeviceConfig config;
        try
        {
            config = ConfigReader.ReadArguments(args[1..], _error);
        }
        catch (ConfigException e)
        {
            _error.Write(e.Message + "\n");
            return 1;
        }

        return Configure(args[0], config);
    }

    private int SetConf(string[] args, bool append, string command)
    {
        if (args.Length != 2)
        {
            _error.Write($"Usage: {ProgramName} {command} <interface> <configuration filename>\n");
            return 1;
        }

        DeviceConfig config;
        try
        {
            config = ConfigReader.ReadFile(File.ReadLines(args[1]), append, _error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _error.Write($"fopen: {Describe(e)}\n");
            return 1;
        }
        catch (ConfigException e)
        {
            _error.Write(e.Message + "\n");
            return 1;
        }

        return Configure(args[0], config);
    }

    private int Configure(string name, DeviceConfig config)
    {
        string? failure = InterfaceName.IsValid(name) ? null : Describe(Errno.EINVAL);
        if (failure is null)
        {
            try
            {
                using var wg = _open();
                wg.ConfigureDevice(name, config);
                return 0;
            }
            catch (NetlinkException e)
            {
                failure = Describe(e.Errno == Errno.ENODEV ? MissingDevice() : e.Errno);
            }
        }

        _error.Write($"Unable to modify interface: {failure}\n");
        return 1;
    }

    /// <summary>The device, or null with the reason as <c>strerror</c> words (a missing device is ENODEV).</summary>
    private WireGuardDevice? Get(WireGuardClient wg, string name, out string? failure)
    {
        failure = null;
        if (!InterfaceName.IsValid(name))
        {
            failure = Describe(Errno.EINVAL);
            return null;
        }

        try
        {
            var device = wg.GetDevice(name);
            if (device is null)
            {
                failure = Describe(MissingDevice());
            }

            return device;
        }
        catch (NetlinkException e)
        {
            failure = Describe(e.Errno);
            return null;
        }
    }

    private Errno MissingDevice() => _kernelAvailable() ? Errno.ENODEV : Errno.EPROTONOSUPPORT;

    /// <summary>An errno in <c>strerror</c>'s words, as wg's <c>perror</c> prints it.</summary>
    public static string Describe(Errno errno) => Marshal.GetPInvokeErrorMessage((int)errno);

    /// <summary>A failed file operation in <c>strerror</c>'s words where .NET names the errno by its exception type.</summary>
    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => Describe(Errno.ENOENT),
        UnauthorizedAccessException => Describe(Errno.EACCES),
        _ => e.Message,
    };

    private static void Usage(TextWriter to)
    {
        to.Write($"Usage: {ProgramName} <cmd> [<args>]\n\nAvailable subcommands:\n");
        foreach (var (name, description) in Commands)
        {
            to.Write($"  {name}: {description}\n");
        }

        to.Write("You may pass `--help' to any of these subcommands to view usage.\n");
    }
}
