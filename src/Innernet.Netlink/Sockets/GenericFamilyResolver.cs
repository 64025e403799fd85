using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;

namespace Innernet.Netlink.Sockets;

/// <summary>
/// Resolves Generic Netlink family ids by name (<c>CTRL_CMD_GETFAMILY</c>), cached for the lifetime of
/// one connection (one socket, hence one network namespace). <c>ENOENT</c> means "family not registered".
/// </summary>
internal sealed class GenericFamilyResolver
{
    private readonly NetlinkConnection _connection;
    private readonly Dictionary<string, ushort> _cache = new(StringComparer.Ordinal);

    public GenericFamilyResolver(NetlinkConnection connection)
    {
        _connection = connection;
    }

    /// <summary>The family id, or null when the kernel has no such family (module absent).</summary>
    /// <exception cref="NetlinkException">The kernel answered with an error other than <c>ENOENT</c>.</exception>
    public ushort? Resolve(string name)
    {
        if (_cache.TryGetValue(name, out ushort cached))
        {
            return cached;
        }

        byte[] request = BuildGetFamilyRequest(name);
        List<byte[]> replies;
        try
        {
            replies = _connection.Execute(request, $"CTRL_CMD_GETFAMILY {name}");
        }
        catch (NetlinkErrorException e) when (e.Errno == Errno.ENOENT)
        {
            return null;
        }

        ushort? id = ParseFamilyId(replies, name);
        if (id is null)
        {
            ThrowHelper.ThrowProtocol($"CTRL_CMD_GETFAMILY {name}: the reply carried no CTRL_ATTR_FAMILY_ID.");
        }

        _cache[name] = id.Value;
        return id;
    }

    /// <summary>Asks the controller again, ignoring the cache (the family may have been re-registered with a new id).</summary>
    /// <exception cref="NetlinkException">The kernel answered with an error other than <c>ENOENT</c>.</exception>
    public ushort? Refresh(string name)
    {
        _cache.Remove(name);
        return Resolve(name);
    }

    /// <summary>Forgets a cached id (e.g. after the module was reloaded and the id went stale).</summary>
    public void Invalidate(string name) => _cache.Remove(name);

    /// <summary>Encodes <c>CTRL_CMD_GETFAMILY</c> (flags <c>REQUEST|ACK</c>, seq 0 until sent).</summary>
    public static byte[] BuildGetFamilyRequest(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var buffer = new byte[NlMsgHeader.Size + GenlMsgHeader.Size
            + NetlinkAlignment.AttributeSize(System.Text.Encoding.UTF8.GetByteCount(name) + 1)];
        var writer = new NetlinkWriter(buffer);
        writer.BeginMessage(LinuxGenetlink.GENL_ID_CTRL, LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_ACK);
        writer.WriteHeader(new GenlMsgHeader(LinuxGenetlink.CTRL_CMD_GETFAMILY, LinuxGenetlink.ControllerVersion));
        writer.WriteString(LinuxGenetlink.CTRL_ATTR_FAMILY_NAME, name);
        writer.EndMessage();
        return buffer;
    }

    /// <summary>Finds <c>CTRL_ATTR_FAMILY_ID</c> in the controller's reply for <paramref name="name"/>.</summary>
    public static ushort? ParseFamilyId(IEnumerable<byte[]> messages, string name)
    {
        foreach (byte[] bytes in messages)
        {
            foreach (NetlinkMessage message in new NetlinkMessageReader(bytes))
            {
                if (message.Header.Type != LinuxGenetlink.GENL_ID_CTRL)
                {
                    continue;
                }

                GenlMsgHeader.Read(message.Payload);
                ushort? id = null;
                string? familyName = null;
                foreach (NetlinkAttribute attribute in new AttributeReader(message.Payload[GenlMsgHeader.Size..]))
                {
                    switch (attribute.Type)
                    {
                        case LinuxGenetlink.CTRL_ATTR_FAMILY_ID:
                            id = attribute.GetU16();
                            break;
                        case LinuxGenetlink.CTRL_ATTR_FAMILY_NAME:
                            familyName = attribute.GetString();
                            break;
                    }
                }

                if (id is not null && (familyName is null || familyName == name))
                {
                    return id;
                }
            }
        }

        return null;
    }
}
