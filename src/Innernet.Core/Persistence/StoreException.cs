namespace Innernet.Core.Persistence;

/// <summary>
/// The database file itself is the problem: it already exists (create), is missing, is in use by another
/// process, is not an innernet-server database, is damaged, or has a newer schema than this build knows.
/// Validation of data never throws this (see <see cref="ValidationException"/>).
/// </summary>
public sealed class StoreException : InnernetException
{
    /// <inheritdoc/>
    public StoreException()
    {
    }

    /// <inheritdoc/>
    public StoreException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
