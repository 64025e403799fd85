namespace Innernet.Core.Fetch;

/// <summary>An <see cref="IClientLog"/> that drops everything.</summary>
internal sealed class NullClientLog : IClientLog
{
    /// <summary>The shared instance.</summary>
    public static NullClientLog Instance { get; } = new();

    /// <inheritdoc/>
    public void Info(string message)
    {
    }

    /// <inheritdoc/>
    public void Warning(string message)
    {
    }

    /// <inheritdoc/>
    public void Debug(string message)
    {
    }
}
