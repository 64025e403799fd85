namespace Innernet.Core.Model;

/// <summary>
/// The IP of a deleted peer, kept from new peers until <see cref="Until"/>: trust that other peers attached to the
/// address (firewall rules, host names, pins) must not pass silently to a newcomer.
/// </summary>
/// <param name="Ip">The address.</param>
/// <param name="PeerId">The deleted peer's id (never handed out again anyway).</param>
/// <param name="Name">The deleted peer's name (free again at once).</param>
/// <param name="Until">When the address may be given to a new peer (whole seconds).</param>
public sealed record ReservedIp(IPAddress Ip, long PeerId, string Name, DateTimeOffset Until)
{
    /// <summary>How long a deleted peer's IP stays reserved unless the admin frees it at once.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromDays(30);
}
