namespace Innernet.Server.Commands;

/// <summary>The flags of <c>add-cidr</c>; null = ask.</summary>
internal sealed record AddCidrArgs(string Interface, string? Name, string? Cidr, string? Parent, bool Yes);
