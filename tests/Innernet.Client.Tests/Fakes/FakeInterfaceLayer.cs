using Innernet.Core.Fetch;
using Innernet.Core.Interfaces;
using Innernet.Netlink.WireGuard;

namespace Innernet.Client.Tests.Fakes;

/// <summary>
/// The device layer without root: <see cref="InMemoryWireGuard"/>, bring-up applying InterfaceManager's own device config.
/// </summary>
internal sealed class FakeInterfaceLayer : IInterfaceLayer
{
    public InMemoryWireGuard Fake { get; } = new();

    public WireGuardClient WireGuard => Fake;

    public List<InterfaceUpRequest> BringUps { get; } = [];

    public List<string> BringDowns { get; } = [];

    public List<IPAddress> LocalAddresses { get; } = [];

    public bool BringUp(InterfaceUpRequest request)
    {
        BringUps.Add(request);
        bool created = Fake.CreateDevice(request.Name);
        Fake.ConfigureDevice(request.Name, InterfaceManager.BuildDeviceConfig(request));
        return created;
    }

    public bool BringDown(string name)
    {
        BringDowns.Add(name);
        return Fake.DeleteDevice(name);
    }

    public IReadOnlyList<IPAddress> GetLocalAddresses() => LocalAddresses;

    public void Dispose()
    {
    }
}
