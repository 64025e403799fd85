namespace Innernet.Cli;

/// <summary>
/// Interactive questions. Every question names the flag that answers it, so the implementation without a
/// terminal can fail with "missing --flag".
/// </summary>
internal interface IPrompter
{
    /// <summary>Asks for a text value; <paramref name="validate"/> returns an error message or null.</summary>
    string Ask(string flag, string question, string? defaultValue, Func<string, string?> validate);

    /// <summary>Asks a yes/no question answered on the command line by <paramref name="flag"/>.</summary>
    bool Confirm(string flag, string question, bool defaultValue);

    /// <summary>Lets the user choose one of <paramref name="choices"/> (at least one).</summary>
    T Select<T>(string flag, string title, IReadOnlyList<T> choices, Func<T, string> display)
        where T : notnull;
}
