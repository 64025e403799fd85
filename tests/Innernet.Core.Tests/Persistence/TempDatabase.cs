namespace Innernet.Core.Tests.Persistence;

/// <summary>A private temporary directory (0700) holding a database path; deleted on dispose.</summary>
internal sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("inn-store-").FullName;
        Path = System.IO.Path.Combine(Directory, "evilcorp.db");
    }

    public string Directory { get; }

    public string Path { get; }

    public string LogPath => System.IO.Path.Combine(Directory, "evilcorp-log.db");

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort cleanup of a temp directory.
        }
    }
}
