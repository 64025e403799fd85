namespace Innernet.Client.Tests;

/// <summary>Temp config, data and hosts locations for one test; deleted on dispose.</summary>
internal sealed class ClientFiles : IDisposable
{
    public ClientFiles()
    {
        Root = Directory.CreateTempSubdirectory("inn-client-files-").FullName;
        ConfigDirectory = Path.Combine(Root, "etc");
        DataDirectory = Path.Combine(Root, "data");
        HostsPath = Path.Combine(Root, "hosts");
        Directory.CreateDirectory(ConfigDirectory);
        Directory.CreateDirectory(DataDirectory);
    }

    public string Root { get; }

    public string ConfigDirectory { get; }

    public string DataDirectory { get; }

    public string HostsPath { get; }

    public string ConfigFile(string name) => Path.Combine(ConfigDirectory, name + ".conf");

    public string DataFile(string name) => Path.Combine(DataDirectory, name + ".json");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
