namespace Innernet.Scenarios.Tests;

/// <summary>Scenario 6 on kernel WireGuard (inside the VM).</summary>
[Trait(Layers.Name, Layers.Kernel)]
public sealed class KeySwapKernelTests() : KeySwapScenario(ScenarioBackend.Kernel);
