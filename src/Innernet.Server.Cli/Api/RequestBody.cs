using System.Globalization;
using Innernet.Core;
using Innernet.Core.Contracts;

namespace Innernet.Server.Api;

/// <summary>
/// Reads a JSON request body as innernet does: a Content-Length is required, at most 16 KiB,
/// Content-Type is not looked at, the JSON goes through <see cref="InnernetJsonContext"/>.
/// </summary>
internal static class RequestBody
{
    /// <summary>Largest body accepted (innernet: 16 KiB); also Kestrel's MaxRequestBodySize.</summary>
    public const int MaxBytes = 16 * 1024;

    /// <exception cref="ValidationException">No Content-Length, or more than <see cref="MaxBytes"/>.</exception>
    /// <exception cref="System.Text.Json.JsonException">The body is not valid JSON for <typeparamref name="T"/>.</exception>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is not { } length)
        {
            throw new ValidationException("The request has a body without a Content-Length header.");
        }

        if (length > MaxBytes)
        {
            throw new ValidationException(string.Create(
                CultureInfo.InvariantCulture, $"The request body is {length} bytes; at most {MaxBytes} are accepted."));
        }

        var buffer = new byte[length];
        await request.Body.ReadExactlyAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return InnernetJson.Deserialize<T>(buffer);
    }
}
