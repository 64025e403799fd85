using Innernet.Core.Fetch;

namespace Innernet.Client.Cli;

/// <summary>innernet's log lines on stdout: <c>[*]</c> info, <c>[!]</c> warning, <c>[D]</c> debug (with <c>-v</c>).</summary>
internal sealed class ConsoleLog(TextWriter output, int verbosity) : IClientLog
{
    public void Info(string message) => output.WriteLine($"[*] {message}");

    public void Warning(string message) => output.WriteLine($"[!] {message}");

    public void Debug(string message)
    {
        if (verbosity > 0)
        {
            output.WriteLine($"[D] {message}");
        }
    }
}
