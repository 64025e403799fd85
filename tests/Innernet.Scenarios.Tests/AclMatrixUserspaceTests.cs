namespace Innernet.Scenarios.Tests;

/// <summary>Scenario 2 on wireguard-go (host layer).</summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class AclMatrixUserspaceTests() : AclMatrixScenario(ScenarioBackend.Userspace);
