namespace Innernet.Core;

/// <summary>
/// The server's answer breaks a rule the client enforces before applying anything (a peer name that is not a
/// hostname, a duplicate IP or key, an IP outside the network, the server's IP with another key, an oversized
/// body). Nothing was applied: WireGuard, the hosts file and the peer cache are unchanged.
/// </summary>
public sealed class ServerAnswerException : InnernetException
{
    /// <inheritdoc/>
    public ServerAnswerException()
    {
    }

    /// <inheritdoc/>
    public ServerAnswerException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public ServerAnswerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
