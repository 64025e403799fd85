using Innernet.Core;
using Innernet.Core.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Innernet.Server.Api;

/// <summary><c>/v1/admin/cidrs</c>; the store enforces the CIDR tree rules.</summary>
internal static class AdminCidrEndpoints
{
    public static RouteGroupBuilder MapAdminCidrEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/cidrs").RequireCaller(c => c.IsAdminCapable);
        group.MapGet("", List);
        group.MapPost("", CreateAsync);
        group.MapPut("/{id:long}", RenameAsync);
        group.MapDelete("/{id:long}", Delete);
        return group;
    }

    public static JsonHttpResult<IReadOnlyList<Cidr>> List(ApiContext api) => ApiResults.Json(api.Store.ListCidrs());

    public static async Task<JsonHttpResult<Cidr>> CreateAsync(HttpContext context, ApiContext api)
    {
        var contents = await RequestBody.ReadJsonAsync<CidrContents>(context.Request).ConfigureAwait(false);
        return ApiResults.Created(api.Store.AddCidr(contents));
    }

    /// <summary>Only <c>name</c> is applied.</summary>
    public static async Task<NoContent> RenameAsync(long id, HttpContext context, ApiContext api)
    {
        if (api.Store.GetCidr(id) is null)
        {
            throw new NotFoundException($"CIDR {id} does not exist.");
        }

        var contents = await RequestBody.ReadJsonAsync<CidrContents>(context.Request).ConfigureAwait(false);
        api.Store.RenameCidr(id, contents.Name);
        return TypedResults.NoContent();
    }

    /// <summary>Deletes an unreferenced CIDR; an unknown id is 204, as in innernet.</summary>
    public static NoContent Delete(long id, ApiContext api)
    {
        try
        {
            api.Store.DeleteCidr(id);
        }
        catch (NotFoundException)
        {
            // innernet's DELETE of a missing row affects 0 rows and succeeds.
        }

        return TypedResults.NoContent();
    }
}
