using Innernet.Cli;
using Innernet.Core.Api;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Spectre.Console;

namespace Innernet.Client.Cli;

/// <summary>
/// What a command handler may touch of the outside world: output writers, the prompter, the terminal (for
/// tables, trees and progress), the device layer, the API client factory and the clock. Tests build one with
/// <see cref="StringWriter"/>s and an in-memory device layer.
/// </summary>
internal sealed class ClientContext
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Asks for missing values; <see cref="NoTerminalPrompter"/> without a terminal.</summary>
    public required IPrompter Prompter { get; init; }

    /// <summary>The terminal for rich output (tables, trees, progress), or null for plain text.</summary>
    public IAnsiConsole? Terminal { get; init; }

    /// <summary>Opens the device layer for a backend (production: Innernet.Netlink with X25519 key derivation).</summary>
    public Func<WireGuardBackend, IInterfaceLayer> OpenLayer { get; init; } = static backend => NetlinkInterfaceLayer.Open(backend);

    /// <summary>Creates the API client for a network's config.</summary>
    public Func<InterfaceConfig, InnernetApiClient> ApiFactory { get; init; } = ApiClientFactory.Default;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Sleeps (NAT steps, redeem transition, daemon interval); tests replace it.</summary>
    public Func<TimeSpan, CancellationToken, Task>? Delay { get; init; }

    /// <summary>Endpoint resolution (DNS for names); tests use IP literals only.</summary>
    public Func<Endpoint, IPEndPoint?> Resolve { get; init; } = EndpointResolver.Resolve;

    /// <summary>The effective sleep function.</summary>
    public Func<TimeSpan, CancellationToken, Task> Sleep => Delay ?? ((span, ct) => Task.Delay(span, Time, ct));

    /// <summary>The real console: prompts and rich output only when stdin and stdout are terminals.</summary>
    public static ClientContext CreateDefault()
    {
        var terminal = ConsoleTerminal.Detect();
        return new ClientContext
        {
            Out = Console.Out,
            Error = Console.Error,
            Terminal = terminal,
            Prompter = ConsoleTerminal.PrompterFor(terminal),
        };
    }

    /// <summary>Opens the device layer, turning "backend unavailable" into a clean error.</summary>
    public IInterfaceLayer OpenDeviceLayer(WireGuardBackend backend)
    {
        try
        {
            return OpenLayer(backend);
        }
        catch (InvalidOperationException e)
        {
            throw new CliUserException(e.Message, ExitCode.Failure, e);
        }
    }
}
