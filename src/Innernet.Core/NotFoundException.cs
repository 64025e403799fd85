namespace Innernet.Core;

/// <summary>The requested object does not exist (HTTP 404).</summary>
public sealed class NotFoundException : InnernetException
{
    /// <inheritdoc/>
    public NotFoundException()
    {
    }

    /// <inheritdoc/>
    public NotFoundException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public NotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
