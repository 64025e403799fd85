namespace Innernet.Core.Fetch;

/// <summary>Where fetch, install and NAT traversal report progress (the CLI prints <c>[*]</c>, <c>[!]</c>, <c>[D]</c> lines).</summary>
public interface IClientLog
{
    /// <summary>Normal progress ("peer x was added").</summary>
    void Info(string message);

    /// <summary>Something the user should look at, but not a failure (e.g. using cached peers).</summary>
    void Warning(string message);

    /// <summary>Details shown with <c>-v</c>.</summary>
    void Debug(string message);
}
