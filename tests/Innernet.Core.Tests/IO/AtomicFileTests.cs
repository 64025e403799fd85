using Innernet.Core.IO;

namespace Innernet.Core.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("inn-atomic-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Write_IntoMissingDirectories_CreatesThem0700AndTheFile0600()
    {
        string path = Path.Combine(_root, "a", "b", "net.toml");

        AtomicFile.Write(path, "x = 1\n"u8);

        Assert.Equal("x = 1\n", File.ReadAllText(path));
        Assert.Equal(AtomicFile.PrivateFileMode, File.GetUnixFileMode(path));
        Assert.Equal(AtomicFile.PrivateDirectoryMode, File.GetUnixFileMode(Path.Combine(_root, "a")));
        Assert.Equal(AtomicFile.PrivateDirectoryMode, File.GetUnixFileMode(Path.Combine(_root, "a", "b")));
        Assert.Equal(["net.toml"], Directory.GetFiles(Path.Combine(_root, "a", "b")).Select(Path.GetFileName));
    }

    [Fact]
    public void SyncDirectory_MissingDirectory_ThrowsIOExceptionNamingIt()
    {
        string missing = Path.Combine(_root, "gone");

        var e = Assert.Throws<IOException>(() => AtomicFile.SyncDirectory(missing));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SyncDirectory_AFileInsteadOfADirectory_ThrowsIOException()
    {
        string file = Path.Combine(_root, "plain");
        File.WriteAllText(file, "");

        Assert.Throws<IOException>(() => AtomicFile.SyncDirectory(file));
    }
}
