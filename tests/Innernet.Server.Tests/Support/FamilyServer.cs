namespace Innernet.Server.Tests.Support;

/// <summary>
/// Servers on innernet's fixture in one address family, for tests that are theories over <c>"IPv4"</c> (loopback, unit
/// layer) and <c>"IPv6"</c> (innernet's <c>v6-test</c> variant, fd00:1337::/64, inside a private network namespace whose
/// loopback holds the peer addresses; root, and the row carries the host layer's trait).
/// </summary>
internal static class FamilyServer
{
    /// <summary>The lab an IPv6 server needs (dispose it after the server), none for IPv4.</summary>
    public static NetnsLab? LabFor(string family) => family == "IPv6" ? new NetnsLab() : null;

    /// <summary>A server in <paramref name="family"/>; an IPv6 one in a new namespace of <paramref name="lab"/>.</summary>
    public static async Task<ApiServer> StartAsync(string family, NetnsLab? lab) => family switch
    {
        "IPv4" => await ApiServer.StartAsync(),
        "IPv6" => await StartInNamespaceAsync(lab!),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    /// <summary>A server on <see cref="TestNetwork.V6"/> in a new namespace of <paramref name="lab"/> (root).</summary>
    public static async Task<ApiServer> StartInNamespaceAsync(NetnsLab lab)
    {
        Prerequisites.RequireRoot();
        var network = TestNetwork.V6;
        string ns = lab.AddNamespace("api6");
        foreach (var address in network.ClientAddresses.Prepend(network.ServerIp))
        {
            lab.AddAddress(ns, "lo", $"{address}/128");
        }

        return await ApiServer.StartAsync(network, NetnsLab.NamespacePath(ns));
    }
}
