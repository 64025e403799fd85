using Innernet.Core.Persistence;
using Innernet.Netlink;
using Innernet.Netlink.Route;

namespace Innernet.Server.Api.Metrics;

/// <summary>
/// <c>GET /healthz</c>: 200 "ok" when the store and its database answer (<see cref="ServerStore.CheckAnswersAsync"/>), a
/// replica hears the other replicas' commits (<see cref="ServerStore.WatchProblem"/>) and the WireGuard interface exists
/// (a link of that name in the server's network namespace); else 503 with one reason per line.
/// Without an interface name (an API hosted without WireGuard) only the store is checked.
/// </summary>
internal sealed class HealthCheck(ServerStore store, string? wireGuardInterface)
{
    private const string ContentType = "text/plain; charset=utf-8";

    public async Task AnswerAsync(HttpContext context)
    {
        var problems = new List<string>();
        if (await store.CheckAnswersAsync(context.RequestAborted).ConfigureAwait(false) is { } storeProblem)
        {
            problems.Add(storeProblem);
        }

        if (store.WatchProblem is { } watchProblem)
        {
            problems.Add(watchProblem);
        }

        if (wireGuardInterface is not null && InterfaceProblem(wireGuardInterface) is { } interfaceProblem)
        {
            problems.Add(interfaceProblem);
        }

        context.Response.StatusCode = problems.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = ContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(problems.Count == 0 ? "ok\n" : string.Join('\n', problems) + "\n", context.RequestAborted)
            .ConfigureAwait(false);
    }

    private static string? InterfaceProblem(string name)
    {
        try
        {
            using var route = new RouteNetlinkClient();
            return route.GetLink(name) is null ? $"the WireGuard interface {name} does not exist" : null;
        }
        catch (NetlinkException e)
        {
            return $"cannot look up the WireGuard interface {name}: {e.Message}";
        }
    }
}
