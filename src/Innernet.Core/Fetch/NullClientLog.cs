namespace Innernet.Core.Fetch;

/// <summary>An <see cref="IClientLog"/> that drops everything.</summary>
public sealed class NullClientLog : IClientLog
{
    /// <summary>The shared instance.</summary>
    public static NullClientLog Instance { get; } = new();

    public void Info(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Debug(string message)
    {
    }
}
