using Innernet.Netlink.Uapi;

namespace Innernet.Netlink.Tests.Uapi;

/// <summary>The Linux and macOS (utun + name file) naming conventions, on fake files in a temp dir.</summary>
public sealed class UapiSocketDirectoryTests : IDisposable
{
    private readonly UapiTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private UapiSocketDirectory MacOS => new(_dir.Path, UserspacePlatform.MacOS);

    private UapiSocketDirectory Linux => new(_dir.Path, UserspacePlatform.Linux);

    private void Write(string name, string content, DateTime? modifiedUtc = null)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, modifiedUtc ?? new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void ResolveSocketPath_MacOSNameFile_MapsToUtunSocket()
    {
        Write("wg0.name", "utun6\n");
        Write("utun6.sock", string.Empty);

        Assert.Equal("utun6", MacOS.ResolveRealName("wg0"));
        Assert.Equal(Path.Combine(_dir.Path, "utun6.sock"), MacOS.ResolveSocketPath("wg0"));
        Assert.Equal(Path.Combine(_dir.Path, "wg0.name"), MacOS.NameFilePath("wg0"));
    }

    [Fact]
    public void ResolveRealName_MacOSNameFileWithoutNewline_IsAccepted()
    {
        Write("wg0.name", "utun12");
        Write("utun12.sock", string.Empty);
        Assert.Equal("utun12", MacOS.ResolveRealName("wg0"));
    }

    [Theory]
    [InlineData(1.9, true)]
    [InlineData(-1.9, true)]
    [InlineData(2.0, false)]
    [InlineData(-3.0, false)]
    [InlineData(3600.0, false)]
    public void ResolveRealName_MacOS_RejectsNameFileMoreThanTwoSecondsFromSocket(double socketOffsetSeconds, bool accepted)
    {
        var nameTime = new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        Write("wg0.name", "utun6\n", nameTime);
        Write("utun6.sock", string.Empty, nameTime.AddSeconds(socketOffsetSeconds));

        Assert.Equal(accepted ? "utun6" : null, MacOS.ResolveRealName("wg0"));
    }

    [Fact]
    public void ResolveRealName_MacOSSocketMissing_IsNull()
    {
        Write("wg0.name", "utun6\n");
        Assert.Null(MacOS.ResolveRealName("wg0"));
        Assert.Null(MacOS.ResolveSocketPath("wg0"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("utun6 extra\n")]
    [InlineData("utun6\n\n")]
    [InlineData("../utun6\n")]
    [InlineData("utun6\r\n")]
    [InlineData("a-name-longer-than-15\n")]
    public void ResolveRealName_MacOSGarbageNameFile_IsNull(string content)
    {
        Write("wg0.name", content);
        Write("utun6.sock", string.Empty);
        Write("a-name-longer-than-15.sock", string.Empty);
        Assert.Null(MacOS.ResolveRealName("wg0"));
    }

    [Fact]
    public void ResolveRealName_MacOSOversizedNameFile_IsNull()
    {
        Write("wg0.name", new string('u', 200));
        Assert.Null(MacOS.ResolveRealName("wg0"));
    }

    [Fact]
    public void ResolveRealName_MacOSWithoutNameFile_UsesTheNameDirectly()
    {
        Write("utun3.sock", string.Empty);
        Assert.Equal("utun3", MacOS.ResolveRealName("utun3"));
        Assert.Null(MacOS.ResolveRealName("utun4"));
    }

    [Fact]
    public void ResolveRealName_Linux_IgnoresNameFiles()
    {
        Write("wg0.name", "utun6\n");
        Write("utun6.sock", string.Empty);
        Assert.Null(Linux.ResolveRealName("wg0"));

        Write("wg0.sock", string.Empty);
        Assert.Equal("wg0", Linux.ResolveRealName("wg0"));
        Assert.Equal(Path.Combine(_dir.Path, "wg0.sock"), Linux.ResolveSocketPath("wg0"));
    }

    [Fact]
    public void CandidateNames_Linux_AreSockFilesWithValidNamesSorted()
    {
        Write("wg1.sock", string.Empty);
        Write("wg0.sock", string.Empty);
        Write("has space.sock", string.Empty);
        Write("sixteen-chars-xx.sock", string.Empty);
        Write("wg2.name", "utun1");
        Write("wg3.sockx", string.Empty);

        Assert.Equal(["wg0", "wg1"], Linux.CandidateNames());
    }

    [Fact]
    public void CandidateNames_MacOS_AreNameFiles()
    {
        Write("utun1.sock", string.Empty);
        Write("wg2.name", "utun1");
        Write("wg0.name", "utun9");

        Assert.Equal(["wg0", "wg2"], MacOS.CandidateNames());
    }

    [Fact]
    public void CandidateNames_MissingDirectory_IsEmpty() =>
        Assert.Empty(new UapiSocketDirectory(_dir.File("absent"), UserspacePlatform.Linux).CandidateNames());
}
