namespace Innernet.Core;

/// <summary>Base class of every anticipated innernet failure (bad input, missing object, auth, pinning).</summary>
public class InnernetException : Exception
{
    /// <inheritdoc/>
    public InnernetException()
    {
    }

    /// <inheritdoc/>
    public InnernetException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public InnernetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
