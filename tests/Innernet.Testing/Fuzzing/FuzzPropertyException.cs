namespace Innernet.Testing.Fuzzing;

/// <summary>An accepted input broke a property the target checks (e.g. parse → write → parse changed the value).</summary>
public sealed class FuzzPropertyException : Exception
{
    public FuzzPropertyException()
    {
    }

    public FuzzPropertyException(string message)
        : base(message)
    {
    }

    public FuzzPropertyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
