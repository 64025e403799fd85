namespace Innernet.Cli;

/// <summary>The prompter without a terminal: every question is a usage error naming the flag to pass instead.</summary>
internal sealed class NoTerminalPrompter : IPrompter
{
    public static readonly NoTerminalPrompter Instance = new();

    public string Ask(string flag, string question, string? defaultValue, Func<string, string?> validate) => throw Missing(flag);

    public bool Confirm(string flag, string question, bool defaultValue) => throw Missing(flag);

    public T Select<T>(string flag, string title, IReadOnlyList<T> choices, Func<T, string> display)
        where T : notnull => throw Missing(flag);

    public static CliUserException Missing(string flag)
        => new($"missing {flag} (no terminal to prompt on)", ExitCode.Usage);
}
