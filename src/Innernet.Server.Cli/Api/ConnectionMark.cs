using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Innernet.Server.Api;

/// <summary>
/// A mark a Kestrel connection middleware puts on the connections of one listener, so that requests can tell which
/// listener they arrived on. Only the listener's own middleware can set it (the mark is a private object).
/// </summary>
internal sealed class ConnectionMark
{
    private readonly object _marker = new();

    public void Set(ConnectionContext connection) => connection.Items[_marker] = _marker;

    /// <summary>True when the request's connection carries this mark.</summary>
    public bool IsOn(HttpContext context)
        => context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(_marker, out var value) == true
            && ReferenceEquals(value, _marker);
}
