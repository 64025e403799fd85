namespace Innernet.Core.Model;

/// <summary>One admin action, as the audit log keeps it: who, what, when, from where. Never a secret.</summary>
/// <param name="Id">Its place in the log (grows by one; never reused).</param>
/// <param name="Time">When the action was acknowledged (whole seconds).</param>
/// <param name="Actor">Who: <c>peer 'name' (id N)</c> or <c>local admin</c>.</param>
/// <param name="Source">From where: the caller's overlay address, or <c>admin socket</c>.</param>
/// <param name="Action">What: method and path with the ids of the request (<c>POST /v1/admin/peers/7/delete</c>).</param>
/// <param name="Status">The HTTP status the action was answered with (2xx: it happened).</param>
public sealed record AuditEntry(long Id, DateTimeOffset Time, string Actor, string Source, string Action, int Status);
