namespace WgSharp;

/// <summary>
/// The ANSI escapes of wg's human output. wg writes colours when <c>WG_COLOR_MODE</c> is <c>always</c>, never when it
/// is <c>never</c>, else only when standard output is a terminal; without colours the escapes are left out entirely.
/// </summary>
internal sealed class Terminal
{
    public const string ColorModeVariable = "WG_COLOR_MODE";

    private const string Escape = "\x1b[";

    public Terminal(bool color) => Color = color;

    public bool Color { get; }

    public string Reset => Code("0m");

    public string Bold => Code("1m");

    public string Red => Code("31m");

    public string Green => Code("32m");

    public string Yellow => Code("33m");

    public string Cyan => Code("36m");

    /// <summary>Colour as wg decides it: the variable first, then whether stdout is a terminal.</summary>
    public static Terminal FromEnvironment(Func<string, string?> environment, bool outputIsTerminal)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new(environment(ColorModeVariable) switch
        {
            "always" => true,
            "never" => false,
            _ => outputIsTerminal,
        });
    }

    private string Code(string code) => Color ? Escape + code : "";
}
