using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Tests.Serve;

/// <summary>
/// Admin actions at every second of a redeem window (and between the redeem's commit and the sync's first look
/// at it), against a real store and an in-memory device, with reconcile passes on several schedules: after each
/// pass the device holds exactly what the store says (read here by hand), the temporary key only inside the
/// window, a disabled peer's keys never, the server's own key never.
/// </summary>
public sealed class RedeemWindowTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly int WindowSeconds = (int)Innernet.Server.Serve.WireGuardPeerSync.RedeemTransitionWait.TotalSeconds;
    private const int LastSecond = 8;

    public enum AdminAction
    {
        Disable,
        DisableThenEnable,
        Rename,
        Expire,
    }

    public enum Schedule
    {
        EverySecond,
        OnlyAfterActions,
        EveryOtherSecond,
        AtTheDeadlineOnly,
    }

    /// <summary>Every action × every moment (-1 = committed before the sync's first pass after the redeem) × every schedule.</summary>
    public static TheoryData<AdminAction, int, Schedule> Cases()
    {
        var data = new TheoryData<AdminAction, int, Schedule>();
        foreach (var action in Enum.GetValues<AdminAction>())
        {
            for (int at = -1; at <= WindowSeconds + 1; at++)
            {
                foreach (var schedule in Enum.GetValues<Schedule>())
                {
                    data.Add(action, at, schedule);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DeviceFollowsTheStore_AtEveryMomentOfTheWindow(AdminAction action, int at, Schedule schedule)
    {
        using var lab = new ReconcileLab();
        var expiresIn = action == AdminAction.Expire ? TimeSpan.FromSeconds(Math.Max(at, 0)) : TimeSpan.FromHours(1);
        var invitee = lab.AddPeer("invitee", redeemed: false, expiresIn);
        var reconciler = lab.NewReconciler();
        reconciler.Reconcile(readDevice: true);
        Assert.Contains(invitee.PublicKey, lab.DeviceKeys());

        var permanent = TestKeys.NewKeyPair().PublicKey;
        lab.Store.Redeem(invitee.Id, permanent, lab.Time.GetUtcNow());
        bool disableSeen = false; // a pass has seen the peer disabled since the redeem: that ends its transition
        var actionSeconds = action == AdminAction.DisableThenEnable ? new[] { at, at + 1 } : [at];
        void Act(int second)
        {
            if (action == AdminAction.Expire && second >= at)
            {
                // The sweeper runs all the time; a redeemed invitation is never swept, whatever its expiry says.
                lab.Store.DeleteExpiredInvitations(lab.Time.GetUtcNow());
                return;
            }

            if (!actionSeconds.Contains(second))
            {
                return;
            }

            switch (action)
            {
                case AdminAction.Disable:
                case AdminAction.DisableThenEnable when second == at:
                    lab.Store.SetDisabled(invitee.Id, true);
                    break;
                case AdminAction.DisableThenEnable:
                    lab.Store.SetDisabled(invitee.Id, false);
                    break;
                case AdminAction.Rename:
                    lab.Store.UpdatePeer(invitee.Id, PeerUpdate.From(lab.Store.GetPeer(invitee.Id)!) with { Name = "renamed" });
                    break;
            }
        }

        void Pass(int second)
        {
            disableSeen |= lab.Store.GetPeer(invitee.Id)!.IsDisabled;
            reconciler.Reconcile();
            Check(lab, invitee.PublicKey, permanent, second, disableSeen);
        }

        Act(-1);
        Pass(0); // the pass the redeem's notification wakes
        Act(0);
        for (int second = 1; second <= LastSecond; second++)
        {
            lab.Time.Advance(Second);
            Act(second);
            if (Reconciles(schedule, second, actionSeconds))
            {
                Pass(second);
            }
        }

        var final = lab.Store.GetPeer(invitee.Id);
        Assert.NotNull(final);
        Assert.Equal(permanent, final.PublicKey);
        Assert.Equal(action == AdminAction.Disable, final.IsDisabled);
        Assert.Empty(reconciler.Transitions);
    }

    private static bool Reconciles(Schedule schedule, int second, int[] actionSeconds) => second == LastSecond || schedule switch
    {
        Schedule.EverySecond => true,
        Schedule.OnlyAfterActions => actionSeconds.Contains(second),
        Schedule.EveryOtherSecond => second % 2 == 0,
        Schedule.AtTheDeadlineOnly => second == WindowSeconds,
        _ => throw new ArgumentOutOfRangeException(nameof(schedule)),
    };

    /// <summary>
    /// Right after a pass: the device is the store's enabled peers, with the temporary key instead of the permanent
    /// one inside the window.
    /// </summary>
    private static void Check(ReconcileLab lab, WireGuardKey temporary, WireGuardKey permanent, int second, bool disableSeen)
    {
        var expected = lab.EnabledKeys();
        bool insideWindow = second < WindowSeconds && !disableSeen;
        if (insideWindow && expected.Remove(permanent))
        {
            expected.Add(temporary);
        }

        var device = lab.DeviceKeys();
        Assert.True(expected.SetEquals(device), $"at {second} s: the device holds {device.Count} keys, {expected.Count} expected");
        Assert.DoesNotContain(ReconcileLab.ServerKey, device);
        if (lab.Store.ListPeers().Any(p => p.PublicKey == permanent && p.IsDisabled))
        {
            Assert.DoesNotContain(permanent, device);
            Assert.DoesNotContain(temporary, device);
        }

        if (!insideWindow)
        {
            Assert.DoesNotContain(temporary, device);
        }
    }
}
