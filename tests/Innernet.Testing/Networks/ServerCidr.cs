using System.Net;

namespace Innernet.Testing.Networks;

/// <summary>A CIDR as <c>innernet-server list-cidrs --json</c> prints it.</summary>
public sealed record ServerCidr(long Id, string Name, IPNetwork Cidr, long? Parent);
