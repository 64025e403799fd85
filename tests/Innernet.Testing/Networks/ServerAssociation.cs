namespace Innernet.Testing.Networks;

/// <summary>An association as <c>innernet-server list-associations --json</c> prints it.</summary>
public sealed record ServerAssociation(long Id, long CidrId1, long CidrId2);
