using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Api;
using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Fetch;

namespace Innernet.Client.Commands;

/// <summary>An installed network: its config file, loaded, and helpers for the API and the cache.</summary>
internal sealed class ClientNetwork
{
    private ClientNetwork(string name, string configPath, InterfaceConfig config)
    {
        Name = name;
        ConfigPath = configPath;
        Config = config;
    }

    public string Name { get; }

    public string ConfigPath { get; }

    public InterfaceConfig Config { get; }

    /// <summary>Loads <c>&lt;config-dir&gt;/&lt;iface&gt;.conf</c> (warnings go to the log).</summary>
    public static ClientNetwork Load(ClientContext context, GlobalArgs globals, string name)
    {
        string path = ClientPaths.ConfigFile(globals.ConfigDirectory, name);
        if (!File.Exists(path))
        {
            throw new CliUserException($"network '{name}' is not installed here ('{path}' does not exist)", ExitCode.NotFound);
        }

        var loaded = InterfaceConfig.Load(path);
        foreach (string warning in loaded.Warnings)
        {
            context.Out.WriteLine($"[!] {warning}");
        }

        return new ClientNetwork(name, path, loaded.Config);
    }

    public InnernetApiClient OpenApi(ClientContext context) => context.ApiFactory(Config);

    public DataStore OpenStore(GlobalArgs globals) => DataStore.Open(ClientPaths.DataFile(globals.DataDirectory, Name));
}
