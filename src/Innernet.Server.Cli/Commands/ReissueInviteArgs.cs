namespace Innernet.Server.Commands;

/// <summary>The flags of <c>reissue-invite</c>; null = ask.</summary>
internal sealed record ReissueInviteArgs(string Interface, string? Name, string? InviteExpires, string? SaveConfig, bool Yes);
