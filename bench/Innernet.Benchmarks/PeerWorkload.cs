using System.Globalization;
using System.Net;
using System.Text;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Benchmarks;

/// <summary>N peers with random public keys and one /32 each, no endpoints; as DeviceConfig and as a wg(8) config file.</summary>
internal sealed class PeerWorkload : IDisposable
{
    public PeerWorkload(int count)
    {
        Count = count;
        var peers = new List<PeerConfig>(count);
        var text = new StringBuilder("[Interface]\n");
        for (int i = 1; i <= count; i++)
        {
            var network = new IPNetwork(new IPAddress(new byte[] { 10, (byte)(i >> 16), (byte)(i >> 8), (byte)i }), 32);
            var key = TestKeys.RandomKey();
            peers.Add(new PeerConfig { PublicKey = key, AllowedIPs = { network } });
            text.Append(CultureInfo.InvariantCulture, $"\n[Peer]\nPublicKey = {key.ToBase64()}\nAllowedIPs = {network}\n");
        }

        Apply = new DeviceConfig { ReplacePeers = true, Peers = peers };
        ConfigFile = Path.Combine(Path.GetTempPath(), $"innernet-bench-{Environment.ProcessId}-{count}.conf");
        File.WriteAllText(ConfigFile, text.ToString());
    }

    public int Count { get; }

    /// <summary>ReplacePeers + all peers: what <c>wg setconf</c> does with <see cref="ConfigFile"/>.</summary>
    public DeviceConfig Apply { get; }

    public string ConfigFile { get; }

    public static DeviceConfig Clear { get; } = new() { ReplacePeers = true };

    public void Dispose() => File.Delete(ConfigFile);
}
