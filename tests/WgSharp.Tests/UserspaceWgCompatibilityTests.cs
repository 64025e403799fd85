using Innernet.Testing;

namespace WgSharp.Tests;

/// <summary>The comparison on wireguard-go, started by the lab inside its namespace (its UAPI socket is in /run/wireguard).</summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class UserspaceWgCompatibilityTests : WgCompatibilityTests
{
    protected override void RequirePrerequisites() => Prerequisites.RequireWireGuardGo();

    protected override void CreateDevice(string ns, string name) => Lab.StartWireGuardGo(ns, name, logLevel: "error");
}
