namespace Innernet.Core.Model;

/// <summary>Body of <c>GET /v1/user/capabilities</c>; missing fields default to false.</summary>
public sealed record ServerCapabilities(bool UnspecifiedIpInOverrideEndpoint = false);
