namespace Innernet.Core.Model;

/// <summary>
/// Body of <c>POST /v1/user/rotate-key</c> (an extension to innernet's API; innernet's server answers 404): the
/// caller's new public key and generation inside <paramref name="Rotation"/>, signed by its current key.
/// </summary>
public sealed record RotateKeyContents(KeyRotation Rotation);
