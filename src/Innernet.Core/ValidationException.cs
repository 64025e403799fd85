namespace Innernet.Core;

/// <summary>Input is invalid (HTTP 400). The message names the field or file and says what is wrong.</summary>
public sealed class ValidationException : InnernetException
{
    public ValidationException()
    {
    }

    public ValidationException(string message)
        : base(message)
    {
    }

    public ValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
