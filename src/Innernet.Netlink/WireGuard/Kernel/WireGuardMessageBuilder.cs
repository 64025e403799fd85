using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using static Innernet.Netlink.Interop.LinuxWireGuard;

namespace Innernet.Netlink.WireGuard.Kernel;

/// <summary>
/// Pure encoder of <c>WG_CMD_GET_DEVICE</c> and <c>WG_CMD_SET_DEVICE</c>.
/// SET is byte-filled up to a message limit (32 KiB by default), like <c>wg(8)</c>: a peer's allowed-IP
/// list may continue in the next message (re-stating the public key and the non-replace flags);
/// <c>WGDEVICE_F_REPLACE_PEERS</c> and the device attributes go only in message 1,
/// <c>WGPEER_F_REPLACE_ALLOWEDIPS</c> only in a peer's first fragment, and no nest ever exceeds 65535 bytes.
/// Requests carry sequence 0 until the connection stamps them; flags are only <c>REQUEST|ACK|DUMP</c>.
/// The SET encoding itself is <see cref="SetDeviceEncoder"/>, which the kernel backend streams from one
/// buffer; <see cref="BuildSetDevice"/> materializes the same messages (tests, tools).
/// </summary>
internal static class WireGuardMessageBuilder
{
    /// <summary>Default size limit of one SET message.</summary>
    public const int DefaultMessageLimit = 32 * 1024;

    /// <summary>Encoded size of one IPv4 allowed-IP element (nest + family + address + mask).</summary>
    public const int AllowedIPv4Size = SetDeviceEncoder.AllowedIPv4Size;

    /// <summary>Encoded size of one IPv6 allowed-IP element.</summary>
    public const int AllowedIPv6Size = SetDeviceEncoder.AllowedIPv6Size;

    /// <summary><c>WG_CMD_GET_DEVICE</c> dump request for <paramref name="name"/> (<c>REQUEST|DUMP</c>, IFNAME only).</summary>
    public static byte[] BuildGetDevice(ushort familyId, string name)
    {
        var buffer = new byte[NlMsgHeader.Size + GenlMsgHeader.Size + NetlinkAlignment.AttributeSize(LinuxIfLink.IFNAMSIZ)];
        var w = new NetlinkWriter(buffer);
        w.BeginMessage(familyId, LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_DUMP);
        w.WriteHeader(new GenlMsgHeader((byte)wg_cmd.WG_CMD_GET_DEVICE, WG_GENL_VERSION));
        w.WriteString((ushort)wgdevice_attribute.WGDEVICE_A_IFNAME, name);
        w.EndMessage();
        return w.Written.ToArray();
    }

    /// <summary>Encodes <paramref name="config"/> for device <paramref name="name"/> as one or more SET messages.</summary>
    /// <exception cref="ArgumentException">A peer is null or its endpoint is not IPv4/IPv6, or the limit is too small for one peer
    /// header.</exception>
    public static List<byte[]> BuildSetDevice(ushort familyId, string name, DeviceConfig config, int messageLimit = DefaultMessageLimit)
    {
        var encoder = new SetDeviceEncoder(familyId, name, config, messageLimit);
        var buffer = new byte[messageLimit];
        var messages = new List<byte[]>();
        int length;
        while ((length = encoder.EncodeNext(buffer)) > 0)
        {
            messages.Add(buffer.AsSpan(0, length).ToArray());
        }

        return messages;
    }
}
