using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Route;
using Innernet.Netlink.Sockets;
using Innernet.Netlink.Tests.Sockets;
using Innernet.Netlink.Tests.Support;
using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Tests.WireGuard;

/// <summary>
/// The <c>wireguard</c> module reloaded under a long-lived client: the old family id is refused (<c>ENOENT</c>, or
/// <c>EINVAL</c> when another family took it), the client asks the controller again and retries once with the new id.
/// </summary>
public class KernelFamilyReloadTests
{
    private const uint Port = 99; // GenericFamilyResolverTests.FamilyReply stamps this port id
    private const ushort OldFamily = 0x1b;
    private const ushort NewFamily = 0x22;
    private const int ENOENT = -2;
    private const int ENODEV = -19;
    private const int EINVAL = -22;

    /// <summary>A kernel whose wireguard family now has <paramref name="current"/> (null: unloaded).</summary>
    private static FakeKernel Kernel(ushort? current, int staleError, Func<byte[], byte[]> onCurrent) => new(Port)
    {
        Respond = (req, _) =>
        {
            ushort type = NlMsgHeader.Read(req).Type;
            if (type == LinuxGenetlink.GENL_ID_CTRL)
            {
                return current is { } id
                    ? [Replies.Datagram(
                        GenericFamilyResolverTests.FamilyReply(FakeKernel.SequenceOf(req), id, "wireguard"), Replies.Ack(req, Port))]
                    : [Replies.Error(req, Port, ENOENT, capped: true)];
            }

            return [type == current ? onCurrent(req) : Replies.Error(req, Port, staleError, capped: true)];
        },
    };

    private static KernelWireGuardClient Client(FakeKernel genl) =>
        new(new NetlinkConnection(genl), OldFamily, new RouteNetlinkClient(new NetlinkConnection(new FakeKernel(Port))));

    private static List<ushort> Types(FakeKernel kernel) => [.. kernel.Sent.Select(m => NlMsgHeader.Read(m).Type)];

    [Theory]
    [InlineData(ENOENT)]
    [InlineData(EINVAL)]
    public void GetDevice_FamilyMoved_ResolvesAgainAndRetriesWithTheNewId(int staleError)
    {
        var kernel = Kernel(NewFamily, staleError, req => Replies.Error(req, Port, ENODEV, capped: true));
        using var client = Client(kernel);

        Assert.Null(client.GetDevice("wg0"));

        Assert.Equal([OldFamily, LinuxGenetlink.GENL_ID_CTRL, NewFamily], Types(kernel));
        Assert.Equal(NewFamily, client.FamilyId);
    }

    [Fact]
    public void GetDevice_ModuleUnloaded_IsNullAndAsksAgainNextTime()
    {
        var kernel = Kernel(null, ENOENT, req => Replies.Ack(req, Port));
        using var client = Client(kernel);

        Assert.Null(client.GetDevice("wg0"));
        Assert.Null(client.GetDevice("wg0"));

        // The second call only asks the controller: nothing is sent with a family id that does not exist.
        Assert.Equal([OldFamily, LinuxGenetlink.GENL_ID_CTRL, LinuxGenetlink.GENL_ID_CTRL], Types(kernel));
    }

    [Fact]
    public void GetDevice_EinvalWithTheSameId_IsTheRequestsFault_AndPropagates()
    {
        var kernel = Kernel(OldFamily, EINVAL, req => Replies.Error(req, Port, EINVAL, capped: true));
        using var client = Client(kernel);

        Assert.Equal(Errno.EINVAL, Assert.Throws<NetlinkErrorException>(() => client.GetDevice("wg0")).Errno);
        Assert.Equal([OldFamily, LinuxGenetlink.GENL_ID_CTRL], Types(kernel));
    }

    [Fact]
    public void ConfigureDevice_FamilyMoved_RetriesTheWholeChangeWithTheNewId()
    {
        var kernel = Kernel(NewFamily, ENOENT, req => Replies.Ack(req, Port));
        using var client = Client(kernel);

        client.ConfigureDevice("wg0", new DeviceConfig { ListenPort = 51820 });

        Assert.Equal([OldFamily, LinuxGenetlink.GENL_ID_CTRL, NewFamily], Types(kernel));
        Assert.Equal(kernel.Sent[0].AsSpan(NlMsgHeader.Size).ToArray(), kernel.Sent[2].AsSpan(NlMsgHeader.Size).ToArray());
    }

    [Fact]
    public void ConfigureDevice_ModuleUnloaded_ThrowsEnodev()
    {
        var kernel = Kernel(null, ENOENT, req => Replies.Ack(req, Port));
        using var client = Client(kernel);

        var e = Assert.Throws<NetlinkException>(() => client.ConfigureDevice("wg0", new DeviceConfig { ListenPort = 1 }));

        Assert.Equal(Errno.ENODEV, e.Errno);
        Assert.Equal(Errno.ENOENT, Assert.IsType<NetlinkErrorException>(e.InnerException).Errno);
    }

    [Fact]
    public void ConfigureDevice_EnoentTwice_RetriesOnlyOnce()
    {
        // The controller reports a new id, but the kernel keeps refusing: no endless loop.
        var kernel = Kernel(NewFamily, ENOENT, req => Replies.Error(req, Port, ENOENT, capped: true));
        using var client = Client(kernel);

        var e = Assert.Throws<NetlinkErrorException>(() => client.ConfigureDevice("wg0", new DeviceConfig { ListenPort = 1 }));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal("WG_CMD_SET_DEVICE wg0 (message 1: no peers)", e.Operation);
        Assert.Equal([OldFamily, LinuxGenetlink.GENL_ID_CTRL, NewFamily], Types(kernel));
    }
}
