namespace Innernet.Core;

/// <summary>Constants shared by the innernet server and client.</summary>
internal static class CoreInfo
{
    /// <summary>The innernet release whose wire and file formats this implementation follows.</summary>
    public const string CompatibleInnernetVersion = "1.7.1";
}
