namespace Innernet.Core;

/// <summary>The server sent a peer whose IP is pinned to a different public key in the local cache ("PINNING ERROR").</summary>
public sealed class PinningException : InnernetException
{
    /// <inheritdoc/>
    public PinningException()
    {
    }

    /// <inheritdoc/>
    public PinningException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public PinningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
