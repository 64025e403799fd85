namespace Innernet.Core.Live;

/// <summary>How the daemon keeps a network up to date.</summary>
public enum LiveMode
{
    /// <summary>Starting, or between two streams (reconnecting).</summary>
    Connecting,

    /// <summary>The state stream is held: changes arrive as they happen.</summary>
    Live,

    /// <summary>The server offers no stream (innernet 1.7): the state is fetched every interval.</summary>
    Polling,
}
