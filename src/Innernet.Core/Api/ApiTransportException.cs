namespace Innernet.Core.Api;

/// <summary>
/// The innernet server could not be reached or did not answer properly (connection refused, no route, timeout,
/// broken HTTP): the case in which <c>fetch</c> falls back to the peer cache. An HTTP error status is an
/// <see cref="ApiStatusException"/> instead.
/// </summary>
public sealed class ApiTransportException : InnernetException
{
    /// <inheritdoc/>
    public ApiTransportException()
    {
    }

    /// <inheritdoc/>
    public ApiTransportException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public ApiTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
