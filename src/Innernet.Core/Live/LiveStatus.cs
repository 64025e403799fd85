using System.Text.Json.Serialization;

namespace Innernet.Core.Live;

/// <summary>What <c>inn up --daemon</c> tells <c>inn show</c> about one network (<see cref="LiveStatusFile"/>).</summary>
/// <param name="Pid">The daemon's process id; the status only holds while that process lives.</param>
/// <param name="Mode">Live, polling or connecting.</param>
/// <param name="Since">When the daemon entered <paramref name="Mode"/>.</param>
/// <param name="LastUpdate">When the last change was applied (a stream message or a fetch that changed peers), or null.</param>
/// <param name="Version">The stream version held (live only), or null.</param>
public sealed record LiveStatus(
    int Pid,
    [property: JsonConverter(typeof(JsonStringEnumConverter<LiveMode>))] LiveMode Mode,
    DateTimeOffset Since,
    DateTimeOffset? LastUpdate,
    string? Version);
