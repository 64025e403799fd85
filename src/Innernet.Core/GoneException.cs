namespace Innernet.Core;

/// <summary>The object existed but can no longer be used, e.g. an invitation redeemed concurrently (HTTP 410).</summary>
public sealed class GoneException : InnernetException
{
    /// <inheritdoc/>
    public GoneException()
    {
    }

    /// <inheritdoc/>
    public GoneException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public GoneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
