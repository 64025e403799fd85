namespace Innernet.Core;

/// <summary>Input is invalid (HTTP 400). The message names the field or file and says what is wrong.</summary>
public sealed class ValidationException : InnernetException
{
    /// <inheritdoc/>
    public ValidationException()
    {
    }

    /// <inheritdoc/>
    public ValidationException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public ValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
