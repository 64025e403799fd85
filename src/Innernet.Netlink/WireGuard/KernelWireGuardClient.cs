using System.Buffers;
using System.Linq;
using System.Runtime.Versioning;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Route;
using Innernet.Netlink.Sockets;
using Innernet.Netlink.WireGuard.Kernel;
using Tmds.Linux;

namespace Innernet.Netlink.WireGuard;

/// <summary>
/// WireGuard devices of the Linux kernel module: configuration over the <c>wireguard</c> Generic Netlink
/// family, links over rtnetlink. Both sockets are opened by <see cref="TryOpen"/> in the calling thread's
/// network namespace (use <see cref="NetworkNamespace.Run{T}(string, Func{T})"/> for another). GET is a dump
/// merged by public key and retried when interrupted; SET is split into ~32 KiB messages, encoded one at a
/// time into one pooled buffer, each acknowledged before the next is encoded and sent. Not thread-safe: use one instance per thread.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class KernelWireGuardClient : WireGuardClient
{
    private readonly NetlinkConnection _genl;
    private readonly GenericFamilyResolver _resolver;
    private readonly RouteNetlinkClient _route;
    private ushort _familyId;
    private bool _disposed;
    private bool? _removesAllowedIPs; // WGALLOWEDIP_F_REMOVE_ME (Linux 6.16+): a property of the kernel, probed once

    internal KernelWireGuardClient(NetlinkConnection genl, ushort familyId, RouteNetlinkClient route)
    {
        _genl = genl;
        _resolver = new GenericFamilyResolver(genl);
        _familyId = familyId;
        _route = route;
    }

    /// <summary>What asking the controller again found out about the <c>wireguard</c> family.</summary>
    private enum FamilyChange
    {
        /// <summary>Same id: the error was about the request, not the family.</summary>
        Unchanged,

        /// <summary>A new id (the module was reloaded): retry with it.</summary>
        Moved,

        /// <summary>No family any more (the module was unloaded): no WireGuard device exists.</summary>
        Gone,
    }

    /// <summary>The family id in use; changes when the module is reloaded (tests check the re-resolution).</summary>
    internal ushort FamilyId => _familyId;

    /// <inheritdoc />
    public override WireGuardBackend Backend => WireGuardBackend.Kernel;

    /// <summary>Largest SET message in bytes (32 KiB); tests lower it to exercise splitting.</summary>
    internal int MessageLimit { get; set; } = WireGuardMessageBuilder.DefaultMessageLimit;

    /// <summary>
    /// Opens the backend in the calling thread's network namespace, or returns null when the kernel has no
    /// <c>wireguard</c> Generic Netlink family (module absent: <c>CTRL_CMD_GETFAMILY</c> answers <c>ENOENT</c>).
    /// </summary>
    /// <exception cref="NetlinkException">A socket could not be opened, or the controller answered with another error.</exception>
    public static KernelWireGuardClient? TryOpen()
    {
        NetlinkConnection genl = NetlinkConnection.Open(LinuxNetlink.NETLINK_GENERIC);
        try
        {
            ushort? familyId = new GenericFamilyResolver(genl).Resolve(LinuxWireGuard.WG_GENL_NAME);
            if (familyId is null)
            {
                genl.Dispose();
                return null;
            }

            return new KernelWireGuardClient(genl, familyId.Value, new RouteNetlinkClient());
        }
        catch
        {
            genl.Dispose();
            throw;
        }
    }

    /// <summary>Names of the links of kind <c>wireguard</c>.</summary>
    /// <exception cref="NetlinkException">The link dump failed.</exception>
    public override IReadOnlyList<string> ListDevices()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _route.GetWireGuardLinks().Select(l => l.Name).ToList();
    }

    /// <summary>Reads a device (a <c>WG_CMD_GET_DEVICE</c> dump), or null when there is no WireGuard device of that name.</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">The kernel answered with an error other than <c>ENODEV</c>/<c>EOPNOTSUPP</c>.</exception>
    /// <exception cref="NetlinkProtocolException">The dump was malformed.</exception>
    public override WireGuardDevice? GetDevice(string name)
    {
        InterfaceName.Validate(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!HasFamily())
        {
            return null;
        }

        List<byte[]> messages;
        for (int attempt = 0; ; attempt++)
        {
            byte[] request = WireGuardMessageBuilder.BuildGetDevice(_familyId, name);
            try
            {
                messages = _genl.Dump(request, $"WG_CMD_GET_DEVICE {name}");
                break;
            }
            catch (NetlinkErrorException e) when (e.Errno is Errno.ENODEV or Errno.EOPNOTSUPP)
            {
                return null;
            }
            catch (NetlinkErrorException e) when (attempt == 0 && Reresolve(e) != FamilyChange.Unchanged)
            {
                if (_familyId == 0)
                {
                    return null;
                }
            }
        }

        return WireGuardDumpParser.Parse(messages, _familyId, name);
    }

    /// <summary>Creates a kernel WireGuard link; false when the WireGuard device already exists.</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">
    /// <see cref="Errno.EEXIST"/> when a link of that name exists but is not a WireGuard device; the kernel refused
    /// (e.g. <see cref="Errno.EOPNOTSUPP"/> "Unknown device type").
    /// </exception>
    public override bool CreateDevice(string name)
    {
        InterfaceName.Validate(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            _route.CreateWireGuardLink(name);
            return true;
        }
        catch (NetlinkErrorException e) when (e.Errno == Errno.EEXIST)
        {
            // "Already exists" only counts when the existing link is the WireGuard device; a veth or tun of
            // that name is a clash the caller must hear about, not a device to configure next.
            LinkInfo? existing = _route.GetLink(name);
            if (existing is null || existing.IsWireGuard)
            {
                return false;
            }

            throw new NetlinkException(
                Errno.EEXIST,
                $"create {name}",
                $"Cannot create WireGuard device '{name}': a link of that name already exists and is of kind " +
                $"'{existing.Kind ?? "unknown"}', not 'wireguard'.",
                e);
        }
    }

    /// <summary>
    /// Applies <paramref name="config"/> with <c>WG_CMD_SET_DEVICE</c>, split into as many messages as needed,
    /// each acknowledged before the next. Not transactional: on failure, earlier messages stay applied.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name, or the config holds a non-IP endpoint.</exception>
    /// <exception cref="NetlinkException">
    /// <see cref="Errno.ENODEV"/> when there is no WireGuard device of that name; the kernel refused a message.
    /// </exception>
    public override void ConfigureDevice(string name, DeviceConfig config)
    {
        InterfaceName.Validate(name);
        ArgumentNullException.ThrowIfNull(config);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!HasFamily())
        {
            throw NoSuchDevice(name, "the kernel WireGuard module is not loaded.");
        }

        config = AllowedIPRemoval.Prepare(
            config, ref _removesAllowedIPs, AllowedIPRemoval.RefusalAsFalse(change => Set(name, change)), () => GetDevice(name),
            () => NoSuchDevice(name, "the kernel has no WireGuard link of that name."));
        Set(name, config);
    }

    internal override bool? RemovesSingleAllowedIPs(string name) => _removesAllowedIPs;

    private void Set(string name, DeviceConfig config)
    {
        string operation = $"WG_CMD_SET_DEVICE {name}";
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MessageLimit);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                var encoder = new SetDeviceEncoder(_familyId, name, config, MessageLimit);
                NetlinkErrorException? failure = Apply(encoder, buffer, operation);
                if (failure is null)
                {
                    return;
                }

                // A stale family id is refused before anything is applied, so only the first message is retried.
                FamilyChange change = attempt == 0 && encoder.MessagesEncoded == 1 ? Reresolve(failure) : FamilyChange.Unchanged;
                if (change == FamilyChange.Gone)
                {
                    throw NoSuchDevice(name, "the kernel WireGuard module is no longer loaded.", failure);
                }

                if (change == FamilyChange.Unchanged)
                {
                    throw SetDeviceFailure(failure, name, encoder, config.Peers.Count);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Streams the messages: encode one into the pooled buffer, send it from there, await its ACK, repeat. Returns the
    /// kernel's refusal of a message, or null when every message was acknowledged.
    /// </summary>
    private NetlinkErrorException? Apply(SetDeviceEncoder encoder, byte[] buffer, string operation)
    {
        int length;
        while ((length = encoder.EncodeNext(buffer)) > 0)
        {
            try
            {
                _genl.Acknowledge(buffer.AsSpan(0, length), operation);
            }
            catch (NetlinkErrorException e)
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>
    /// After the module is reloaded the family has a new id, and the old one is refused with <c>ENOENT</c> (no such
    /// family) or, when another family took it, <c>EINVAL</c>. On those errors the controller is asked again;
    /// <see cref="FamilyChange.Gone"/> sets the id to 0, and the next call asks again before sending anything.
    /// </summary>
    private bool HasFamily()
    {
        if (_familyId == 0)
        {
            _familyId = _resolver.Refresh(LinuxWireGuard.WG_GENL_NAME) ?? 0;
        }

        return _familyId != 0;
    }

    /// <summary>Re-resolves the family after an error that a stale id causes; see <see cref="FamilyChange"/>.</summary>
    private FamilyChange Reresolve(NetlinkErrorException e)
    {
        if (e.Errno is not (Errno.ENOENT or Errno.EINVAL))
        {
            return FamilyChange.Unchanged;
        }

        ushort? id = _resolver.Refresh(LinuxWireGuard.WG_GENL_NAME);
        if (id == _familyId)
        {
            return FamilyChange.Unchanged;
        }

        _familyId = id ?? 0;
        return id is null ? FamilyChange.Gone : FamilyChange.Moved;
    }

    /// <summary>
    /// The error of SET message <c>k</c>, reported with the peers that message carried ("message k: peers i-j of n",
    /// 1-based); <c>ENODEV</c>/<c>EOPNOTSUPP</c> mean there is no such WireGuard device.
    /// </summary>
    private static NetlinkException SetDeviceFailure(NetlinkErrorException e, string name, SetDeviceEncoder encoder, int peerCount)
    {
        (int first, int count) = encoder.LastMessagePeers.GetOffsetAndLength(peerCount);
        string peers = count == 0 ? "no peers" : $"peers {first + 1}-{first + count} of {peerCount}";
        var error = new NetlinkErrorException(e.Errno, $"WG_CMD_SET_DEVICE {name} (message {encoder.MessagesEncoded}: {peers})",
            e.ExtendedAckMessage, e.ExtendedAckOffset);
        return e.Errno is Errno.ENODEV or Errno.EOPNOTSUPP
            ? WireGuardClient.NoSuchDevice(name, "the kernel has no WireGuard link of that name.", error)
            : error;
    }

    /// <summary>Deletes the WireGuard link; false when there is no WireGuard link of that name (other links are left alone).</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">The kernel refused.</exception>
    public override bool DeleteDevice(string name)
    {
        InterfaceName.Validate(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        LinkInfo? link = _route.GetLink(name);
        return link is { IsWireGuard: true } && _route.DeleteLink(link.Index);
    }

    /// <summary>Closes both sockets.</summary>
    protected override void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _disposed = true;
            _genl.Dispose();
            _route.Dispose();
        }

        base.Dispose(disposing);
    }
}
