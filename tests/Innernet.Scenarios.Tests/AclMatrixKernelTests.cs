namespace Innernet.Scenarios.Tests;

/// <summary>Scenario 2 on kernel WireGuard (inside the VM).</summary>
[Trait(Layers.Name, Layers.Kernel)]
public sealed class AclMatrixKernelTests() : AclMatrixScenario(ScenarioBackend.Kernel)
{
    protected override bool Lean => true;
}
