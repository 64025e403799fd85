using Innernet.Core.Api;
using Innernet.Core.Client;
using Innernet.Core.Fetch;
using Innernet.Core.Model;
using Microsoft.Extensions.Time.Testing;

namespace Innernet.Client.Tests.Fetch;

/// <summary>
/// The pieces of client failover between server replicas: the announcement header read as untrusted input, the file
/// that keeps it, and the timing of moves (<see cref="ServerFailover"/> on a fake clock).
/// </summary>
public sealed class ServerFailoverTests
{
    private static readonly Endpoint A = Endpoint.Parse("192.0.2.1:51820");
    private static readonly Endpoint B = Endpoint.Parse("192.0.2.2:51820");
    private static readonly Endpoint C = Endpoint.Parse("vpn.example.net:51821");

    [Fact]
    public void Announcement_KeepsValidEntriesOnce_InOrder_DropsTheRest()
    {
        var parsed = ReplicaAnnouncement.Parse(
            " 192.0.2.2:51820,junk,,192.0.2.1:51820 , 192.0.2.2:51820, 0.0.0.0:1, vpn.example.net:51821, :5");

        Assert.Equal([B, A, C], parsed);
        Assert.Equal("192.0.2.2:51820, 192.0.2.1:51820, vpn.example.net:51821", ReplicaAnnouncement.Format(parsed));
    }

    [Fact]
    public void Announcement_IsBounded_InCountAndLength()
    {
        var many = Enumerable.Range(1, 40).Select(i => $"192.0.2.{i}:51820").ToList();

        Assert.Equal(ReplicaAnnouncement.MaxCount, ReplicaAnnouncement.Parse(string.Join(",", many)).Count);
        Assert.Empty(ReplicaAnnouncement.Parse("192.0.2.1:51820," + new string(' ', ReplicaAnnouncement.MaxLength)));
        Assert.Empty(ReplicaAnnouncement.Parse(null));
    }

    [Fact]
    public void Announcement_OfTheMostEndpointsWithTheLongestNames_ReadsBackWhole()
    {
        string label = new('a', 63);
        var longest = Enumerable.Range(0, ReplicaAnnouncement.MaxCount)
            .Select(i => Endpoint.Parse($"{label}.{label}.{label}.{i:00}{new string('b', 59)}:65535"))
            .ToList();

        Assert.Equal(longest, ReplicaAnnouncement.Parse(ReplicaAnnouncement.Format(longest)));
    }

    [Fact]
    public void File_RoundTrips_Private_AndNoneDeletesIt()
    {
        using var files = new ClientFiles();
        string path = Path.Combine(files.DataDirectory, "net.replicas");

        ReplicaFile.Write(path, [B, A, B, C]);

        Assert.Equal([B, A, C], ReplicaFile.Read(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        ReplicaFile.Write(path, []);
        Assert.False(File.Exists(path));
        Assert.Empty(ReplicaFile.Read(path));
    }

    [Theory]
    [InlineData("192.0.2.1:51820\nnot an endpoint\n")]
    [InlineData("192.0.2.1:51820\n192.0.2.1:51820\n")]
    [InlineData("192.0.2.1:51820")]
    [InlineData("\n")]
    [InlineData("[::]:51820\n")]
    public void File_Malformed_ReadsAsNone(string text)
    {
        using var files = new ClientFiles();
        string path = Path.Combine(files.DataDirectory, "net.replicas");
        Directory.CreateDirectory(files.DataDirectory);
        File.WriteAllText(path, text);

        Assert.Empty(ReplicaFile.Read(path));
    }

    [Fact]
    public void File_TooManyLines_ReadsAsNone()
    {
        using var files = new ClientFiles();
        string path = Path.Combine(files.DataDirectory, "net.replicas");
        Directory.CreateDirectory(files.DataDirectory);
        File.WriteAllLines(path, Enumerable.Range(1, ReplicaAnnouncement.MaxCount + 1).Select(i => $"192.0.2.{i}:51820"));

        Assert.Empty(ReplicaFile.Read(path));
    }

    [Fact]
    public void Candidates_KnownFirst_ThenTheConfiguredOne()
    {
        Assert.Equal([B, C, A], ServerFailover.Candidates(A, [B, C]));
        Assert.Equal([B, A, C], ServerFailover.Candidates(A, [B, A, C]));
        Assert.Equal([A], ServerFailover.Candidates(A, []));
    }

    [Fact]
    public void Next_Cycles_AtMostOncePerSettleTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var failover = new ServerFailover(time) { SettleTime = TimeSpan.FromSeconds(2) };
        IReadOnlyList<Endpoint> candidates = [A, B, C];

        Assert.Equal(B, failover.Next(candidates, A));
        Assert.Null(failover.Next(candidates, B));
        time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Null(failover.Next(candidates, B));
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(C, failover.Next(candidates, B));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(A, failover.Next(candidates, C));
    }

    [Fact]
    public void Next_NoOtherReplica_IsNull_AndIsNoMove()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var failover = new ServerFailover(time);

        Assert.Null(failover.Next([A], A));
        Assert.Equal(A, failover.Next([A, B], C)); // an endpoint no longer announced: the first candidate
    }

    [Fact]
    public void IsStale_AfterTheHandshakeBound_CountedFromTheLaterOfHandshakeAndMove()
    {
        var start = DateTimeOffset.UnixEpoch.AddYears(56);
        var time = new FakeTimeProvider(start);
        var failover = new ServerFailover(time) { HandshakeBound = TimeSpan.FromSeconds(30) };

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(failover.IsStale(null, start));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(failover.IsStale(null, start));
        Assert.False(failover.IsStale(start.AddSeconds(10), start));
        Assert.True(failover.IsStale(start.AddSeconds(-100), start));
        Assert.False(failover.IsStale(start.AddSeconds(-100), start.AddSeconds(20)));
    }
}
