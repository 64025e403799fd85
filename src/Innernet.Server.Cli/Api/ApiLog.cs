namespace Innernet.Server.Api;

/// <summary>The API's log messages. Keys are never logged: only names, IPs, paths and status codes.</summary>
internal static partial class ApiLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} -> {Status} ({Caller}) {ElapsedMs:F1} ms")]
    public static partial void Request(ILogger logger, string method, string path, int status, string caller, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Method} {Path} refused with {Status} ({Caller}): {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, int status, string caller, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Method} {Path} failed ({Caller})")]
    public static partial void Failed(ILogger logger, Exception exception, string method, string path, string caller);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Admin {Caller} tried to disable the server peer (id 1); refused")]
    public static partial void ServerPeerDisableRefused(ILogger logger, string caller);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Peer {Peer} redeemed its invitation")]
    public static partial void Redeemed(ILogger logger, string peer);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Peer {Peer} repeated its redeem with its key; nothing changed")]
    public static partial void RedeemRepeated(ILogger logger, string peer);

    [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "Peer {Peer} rotated its key (generation {Generation})")]
    public static partial void KeyRotated(ILogger logger, string peer, long generation);

    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "Peer {Peer} repeated its key rotation; nothing changed")]
    public static partial void KeyRotationRepeated(ILogger logger, string peer);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Removed {Count} expired invitation(s): {Peers}")]
    public static partial void InvitationsSwept(ILogger logger, int count, string peers);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "Sweeping expired invitations failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(
        EventId = 8,
        Level = LogLevel.Warning,
        Message = "Refused a local admin socket connection from uid {Uid} (server runs as uid {ServerUid})")]
    public static partial void LocalAdminRefused(ILogger logger, uint uid, uint serverUid);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Peer {Peer} {Action} by {Caller}")]
    public static partial void PeerEnabledChanged(ILogger logger, string peer, string action, string caller);

    [LoggerMessage(
        EventId = 10,
        Level = LogLevel.Warning,
        Message = "Closing new connections from {Source}: it already has {Limit} open (logged once until they are all closed)")]
    public static partial void ConnectionsPerSourceExceeded(ILogger logger, string source, int limit);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Peer {Peer} deleted by {Caller}; its IP is {IpState}")]
    public static partial void PeerDeleted(ILogger logger, string peer, string caller, string ipState);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Released {Count} reserved IP(s) of deleted peers: {Ips}")]
    public static partial void ReservedIpsReleased(ILogger logger, int count, string ips);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Publishing live state updates failed; the next change tries again")]
    public static partial void StateFeedFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Audit {Id}: {Actor} from {Source}: {Action} → {Status}")]
    public static partial void Audited(ILogger logger, long id, string actor, string source, string action, int status);

    [LoggerMessage(
        EventId = 23,
        Level = LogLevel.Warning,
        Message = "Audit {Id} was recorded with status {Recorded} (the route's success), but the answer was {Answered}")]
    public static partial void AuditStatusDiffers(ILogger logger, long id, int recorded, int answered);
}
