using Innernet.Core.Fetch;
using Innernet.Core.Keys;

namespace Innernet.Core.Tests.Fetch;

public sealed class PendingRedeemKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("inn-core-pending-").FullName;

    private string KeyPath => PendingRedeemKey.PathFor(Path.Combine(_dir, "etc"), "joined");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadOrCreate_WritesAPrivateFileBeforeReturning_AndTheSameInvitationGetsTheSameKeyBack()
    {
        var invitation = KeyPair.Generate().Public;

        var created = PendingRedeemKey.LoadOrCreate(KeyPath, invitation);
        var again = PendingRedeemKey.LoadOrCreate(KeyPath, invitation);

        Assert.False(created.Resumed);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Equal(AtomicDirectoryMode, File.GetUnixFileMode(Path.GetDirectoryName(KeyPath)!));
        Assert.True(again.Resumed);
        Assert.Equal(created.Keys, again.Keys);
        Assert.Equal(created.Keys.Public, WireGuardKeys.GetPublicKey(again.Keys.Private));
    }

    [Fact]
    public void LoadOrCreate_ForAnotherInvitation_MakesANewKey()
    {
        var first = PendingRedeemKey.LoadOrCreate(KeyPath, KeyPair.Generate().Public);

        var second = PendingRedeemKey.LoadOrCreate(KeyPath, KeyPair.Generate().Public);

        Assert.False(second.Resumed);
        Assert.NotEqual(first.Keys.Public, second.Keys.Public);
    }

    [Fact]
    public void LoadOrCreate_DamagedFile_IsAnError_AndIsKept()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyPath)!);
        File.WriteAllText(KeyPath, "private-key = not a key\n");

        var e = Assert.Throws<InnernetException>(() => PendingRedeemKey.LoadOrCreate(KeyPath, KeyPair.Generate().Public));

        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
        Assert.Equal("private-key = not a key\n", File.ReadAllText(KeyPath));
    }

    [Fact]
    public void Delete_RemovesTheFile()
    {
        var pending = PendingRedeemKey.LoadOrCreate(KeyPath, KeyPair.Generate().Public);

        pending.Delete();

        Assert.False(File.Exists(KeyPath));
    }

    private const UnixFileMode AtomicDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
}
