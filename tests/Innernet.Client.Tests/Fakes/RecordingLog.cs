using Innernet.Core.Fetch;

namespace Innernet.Client.Tests.Fakes;

/// <summary>Collects log lines with their level.</summary>
internal sealed class RecordingLog : IClientLog
{
    public List<string> Lines { get; } = [];

    public IEnumerable<string> Warnings => Lines.Where(l => l.StartsWith("[!]", StringComparison.Ordinal));

    public void Info(string message) => Lines.Add("[*] " + message);

    public void Warning(string message) => Lines.Add("[!] " + message);

    public void Debug(string message) => Lines.Add("[D] " + message);
}
