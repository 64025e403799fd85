using Spectre.Console;

namespace Innernet.Cli;

/// <summary>The real console as the CLIs see it: a terminal for prompts and rich output only when both stdin and stdout are one.</summary>
internal static class ConsoleTerminal
{
    /// <summary>The Spectre.Console terminal on stdout, or null when stdin or stdout is redirected.</summary>
    public static IAnsiConsole? Detect()
    {
        bool interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        return interactive ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }) : null;
    }

    /// <summary>Prompts on <paramref name="terminal"/>, or fails with "missing --flag" without one.</summary>
    public static IPrompter PrompterFor(IAnsiConsole? terminal)
        => terminal is null ? NoTerminalPrompter.Instance : new SpectrePrompter(terminal);
}
