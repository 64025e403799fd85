namespace Innernet.Benchmarks.Server;

/// <summary>What the server's own code costs for a network, measured in this process on the same database file.</summary>
/// <param name="OpenMs">Opening the database (reading every row into the first snapshot), once.</param>
/// <param name="ViewBuildMs">Building the ACL index (<see cref="Innernet.Core.Acl.NetworkView"/>) from the snapshot: once per committed write.</param>
internal sealed record InProcessTimings(double OpenMs, double ViewBuildMs, ViewTimings FewHundred, ViewTimings All);
