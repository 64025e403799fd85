using Innernet.Cli;
using Innernet.Core.Interfaces;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Cli;

/// <summary>
/// What a command handler may touch of the outside world: output writers, the prompter, the root check,
/// the clock and the WireGuard backend factory. Tests build one with <see cref="StringWriter"/>s.
/// </summary>
internal sealed class CliContext
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Asks for missing values; <see cref="NoTerminalPrompter"/> without a terminal.</summary>
    public required IPrompter Prompter { get; init; }

    /// <summary>True when running as root (uid 0).</summary>
    public Func<bool> IsRoot { get; init; } = static () => Environment.IsPrivilegedProcess;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Opens the WireGuard client for a backend (the production value is <see cref="WireGuardBackends.Open"/>).</summary>
    public Func<WireGuardBackend, WireGuardClient> OpenWireGuard { get; init; } = static backend => WireGuardBackends.Open(backend);

    /// <summary>The real console: prompts only when stdin is a terminal.</summary>
    public static CliContext CreateDefault() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        Prompter = ConsoleTerminal.PrompterFor(ConsoleTerminal.Detect()),
    };
}
