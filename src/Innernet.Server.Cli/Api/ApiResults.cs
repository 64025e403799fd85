using Innernet.Core.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Innernet.Server.Api;

/// <summary>Success responses with innernet's JSON (<see cref="InnernetJsonContext"/>) and <c>Content-Type: application/json</c>.</summary>
internal static class ApiResults
{
    public const string JsonContentType = "application/json";

    /// <summary>200 with a JSON body.</summary>
    public static JsonHttpResult<T> Json<T>(T value)
        => TypedResults.Json(value, InnernetJson.TypeInfo<T>(), JsonContentType);

    /// <summary>201 with the created object as JSON.</summary>
    public static JsonHttpResult<T> Created<T>(T value)
        => TypedResults.Json(value, InnernetJson.TypeInfo<T>(), JsonContentType, StatusCodes.Status201Created);

    /// <summary>201 with an empty body (association create).</summary>
    public static StatusCodeHttpResult CreatedEmpty() => TypedResults.StatusCode(StatusCodes.Status201Created);
}
