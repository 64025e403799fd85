namespace Innernet.Core;

/// <summary>The caller is not allowed to do this (HTTP 401).</summary>
public sealed class UnauthorizedException : InnernetException
{
    /// <inheritdoc/>
    public UnauthorizedException()
    {
    }

    /// <inheritdoc/>
    public UnauthorizedException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public UnauthorizedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
