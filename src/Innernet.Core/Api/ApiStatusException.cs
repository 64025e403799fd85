namespace Innernet.Core.Api;

/// <summary>The innernet server answered with an HTTP error status (its error replies have no body).</summary>
public sealed class ApiStatusException : InnernetException
{
    /// <inheritdoc/>
    public ApiStatusException()
    {
    }

    /// <inheritdoc/>
    public ApiStatusException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public ApiStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// The server answered <paramref name="method"/> <paramref name="path"/> with <paramref name="statusCode"/>; the message
    /// says what that status usually means.
    /// </summary>
    public ApiStatusException(HttpStatusCode statusCode, string method, string path)
        : base(Describe(statusCode, method, path))
    {
        StatusCode = statusCode;
        Method = method;
        Path = path;
    }

    /// <summary>The HTTP status the server answered with.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The request method, e.g. GET.</summary>
    public string? Method { get; }

    /// <summary>The request path, e.g. /v1/user/state.</summary>
    public string? Path { get; }

    private static string Describe(HttpStatusCode status, string method, string path)
    {
        string hint = status switch
        {
            HttpStatusCode.Unauthorized =>
                " (the server does not accept this peer for that request: not an admin, disabled, not redeemed, an expired " +
                "invitation, or the server key in the config does not match)",
            HttpStatusCode.NotFound => " (no such object, or the server does not support this request)",
            HttpStatusCode.Gone => " (the invitation was already redeemed)",
            HttpStatusCode.BadRequest => " (the server rejected the request as invalid, e.g. a name or address already in use)",
            HttpStatusCode.RequestEntityTooLarge => " (too many entries)",
            HttpStatusCode.TooManyRequests => " (too many writes from this peer in a short time; try again in a few seconds)",
            _ => "",
        };
        return $"The innernet server answered {(int)status} {status} to {method} {path}{hint}.";
    }
}
