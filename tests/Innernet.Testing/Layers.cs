namespace Innernet.Testing;

/// <summary>
/// Trait values that place a test in a layer of <c>./build.sh test</c>. Unit tests carry no Layer
/// trait. Use as <c>[Trait(Layers.Name, Layers.Host)]</c>.
/// </summary>
public static class Layers
{
    public const string Name = "Layer";

    /// <summary>Root on the host: network namespaces, real rtnetlink, wireguard-go.</summary>
    public const string Host = "host";

    /// <summary>Inside the throw-away VM with the kernel WireGuard module.</summary>
    public const string Kernel = "kernel";
}
