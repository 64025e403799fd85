namespace Innernet.Server.Commands;

/// <summary>The flags of the verbs that pick one peer or CIDR by name (and may rename it); null = ask.</summary>
internal sealed record PeerNameArgs(string Interface, string? Name, string? NewName, bool Yes);
