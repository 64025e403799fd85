namespace Innernet.Scenarios.Tests;

/// <summary>Scenario 6 on wireguard-go (host layer).</summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class KeySwapUserspaceTests() : KeySwapScenario(ScenarioBackend.Userspace);
