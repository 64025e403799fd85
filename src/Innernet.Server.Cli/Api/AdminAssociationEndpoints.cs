using Innernet.Core;
using Innernet.Core.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Innernet.Server.Api;

/// <summary><c>/v1/admin/associations</c>.</summary>
internal static class AdminAssociationEndpoints
{
    public static RouteGroupBuilder MapAdminAssociationEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/associations").RequireCaller(c => c.IsAdminCapable);
        group.MapGet("", List);
        group.MapPost("", CreateAsync);
        group.MapDelete("/{id:long}", Delete);
        return group;
    }

    public static JsonHttpResult<IReadOnlyList<Association>> List(ApiContext api) => ApiResults.Json(api.Store.ListAssociations());

    /// <summary>201 with an empty body, as innernet answers.</summary>
    public static async Task<StatusCodeHttpResult> CreateAsync(HttpContext context, ApiContext api)
    {
        var contents = await RequestBody.ReadJsonAsync<AssociationContents>(context.Request).ConfigureAwait(false);
        api.Store.AddAssociation(contents);
        return ApiResults.CreatedEmpty();
    }

    /// <summary>An unknown id is 204, as in innernet.</summary>
    public static NoContent Delete(long id, ApiContext api)
    {
        try
        {
            api.Store.DeleteAssociation(id);
        }
        catch (NotFoundException)
        {
            // innernet's DELETE of a missing row affects 0 rows and succeeds.
        }

        return TypedResults.NoContent();
    }
}
