using System.Text.Json.Serialization;

namespace Innernet.Core.Model;

/// <summary>
/// Body of <c>GET /v1/user/capabilities</c>; missing fields default to false / 0, unknown ones are ignored (innernet's
/// own rule), so an innernet 1.7 client reads ours and ours reads theirs.
/// </summary>
/// <param name="UnspecifiedIpInOverrideEndpoint">innernet 1.7: an endpoint override may be <c>0.0.0.0:port</c>.</param>
/// <param name="StateStream">
/// Our extension: the version of the live state stream protocol the server speaks
/// (<see cref="StateStreamVersion"/>); 0 (innernet, older servers) means none, so clients poll. Not written when 0,
/// so a server without the stream answers exactly as innernet.
/// </param>
public sealed record ServerCapabilities(
    bool UnspecifiedIpInOverrideEndpoint = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int StateStream = 0)
{
    /// <summary>The live state stream protocol described in docs/api.md ("Live updates").</summary>
    public const int StateStreamVersion = 1;
}
