namespace Innernet.Server.Commands;

/// <summary>The flags of <c>new</c>; null = ask.</summary>
internal sealed record NewArgs(
    string? NetworkName, string? NetworkCidr, string? ExternalEndpoint, bool AutoExternalEndpoint, ushort? ListenPort,
    string? Database = null);
