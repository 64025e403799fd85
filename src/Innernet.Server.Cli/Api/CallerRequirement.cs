namespace Innernet.Server.Api;

/// <summary>Endpoint filters checking the <see cref="ApiCaller"/> the session step attached to the request.</summary>
internal static class CallerRequirement
{
    /// <summary>The session step's caller for this request.</summary>
    /// <exception cref="InvalidOperationException">The request did not pass the session step (a wiring bug).</exception>
    public static ApiCaller GetCaller(this HttpContext context)
        => context.Features.Get<ApiCaller>()
            ?? throw new InvalidOperationException("Internal error: the request reached an API endpoint without a session.");

    /// <summary>Answers 401 (empty body) unless <paramref name="allowed"/> holds for the caller.</summary>
    public static TBuilder RequireCaller<TBuilder>(this TBuilder builder, Func<ApiCaller, bool> allowed)
        where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(async (context, next) =>
            allowed(context.HttpContext.GetCaller())
                ? await next(context).ConfigureAwait(false)
                : TypedResults.Unauthorized());
}
