namespace Innernet.Netlink.Tests.Uapi;

/// <summary>A short-named temporary directory (unix socket paths are limited to 108 bytes), removed on dispose.</summary>
internal sealed class UapiTempDirectory : IDisposable
{
    public UapiTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "inn-uapi-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
