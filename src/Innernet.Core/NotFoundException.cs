namespace Innernet.Core;

/// <summary>The requested object does not exist (HTTP 404).</summary>
public sealed class NotFoundException : InnernetException
{
    public NotFoundException()
    {
    }

    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
