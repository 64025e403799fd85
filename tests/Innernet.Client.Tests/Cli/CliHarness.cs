using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Client.Tests.Fakes;

namespace Innernet.Client.Tests.Cli;

/// <summary>Runs the real command line with captured output, no terminal, the in-memory device layer and loopback-bound API
/// clients.</summary>
internal sealed class CliHarness(ClientFiles files, FakeInterfaceLayer layer, ManualTime time)
{
    public StringWriter Out { get; private set; } = new();

    public StringWriter Error { get; private set; } = new();

    /// <summary>When true, commands get a (colourless) Spectre terminal writing to <see cref="Out"/>; prompts still have no
    /// terminal.</summary>
    public bool RichOutput { get; set; }

    public async Task<int> RunAsync(params string[] args)
    {
        Out = new StringWriter();
        Error = new StringWriter();
        var terminal = RichOutput
            ? Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
            {
                Out = new Spectre.Console.AnsiConsoleOutput(Out),
                Ansi = Spectre.Console.AnsiSupport.No,
                ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
                Interactive = Spectre.Console.InteractionSupport.No,
            })
            : null;
        var context = new ClientContext
        {
            Out = Out,
            Error = Error,
            Prompter = NoTerminalPrompter.Instance,
            Terminal = terminal,
            OpenLayer = _ => layer,
            ApiFactory = InProcessServer.ApiFromConfig,
            Time = time,
            Delay = time.Delay,
            Resolve = static e => e.TryGetIPEndPoint(),
        };
        return await ClientCommandLine.RunAsync(["-c", files.ConfigDirectory, "-d", files.DataDirectory, .. args], context);
    }
}
