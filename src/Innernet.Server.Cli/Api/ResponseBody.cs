using System.Buffers.Text;
using System.Security.Cryptography;

namespace Innernet.Server.Api;

/// <summary>
/// A serialized JSON answer and its entity tag: the SHA-256 of the bytes, base64url, quoted. A content hash is a
/// strong validator by construction: it changes exactly when the bytes do, so a 304 is never stale, stays valid
/// across unrelated writes (another CIDR's peers) and across a restart. It is computed once per built body.
/// </summary>
internal sealed class ResponseBody
{
    private ResponseBody(byte[] bytes, string entityTag)
    {
        Bytes = bytes;
        EntityTag = entityTag;
    }

    /// <summary>The body, exactly as sent on a 200.</summary>
    public byte[] Bytes { get; }

    /// <summary>The <c>ETag</c> header value, quotes included.</summary>
    public string EntityTag { get; }

    /// <summary>Wraps <paramref name="bytes"/> and hashes them.</summary>
    public static ResponseBody From(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new ResponseBody(bytes, "\"" + Base64Url.EncodeToString(SHA256.HashData(bytes)) + "\"");
    }
}
