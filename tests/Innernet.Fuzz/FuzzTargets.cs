using Innernet.Core;
using Innernet.Core.Api;
using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Netlink.Uapi;
using Innernet.Netlink.WireGuard;
using Innernet.Testing.Fuzzing;

namespace Innernet.Fuzz;

/// <summary>
/// Every parser that reads files or the network, as a fuzz target with its documented contract. Each call of
/// <see cref="Create"/> gives fresh targets (the API targets own a server store that accepted inputs change).
/// </summary>
public static class FuzzTargets
{
    private const string Source = "fuzz-input";

    /// <summary>The target names, in the order <c>./build.sh fuzz</c> lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Create().Select(t => t.Name)];

    /// <summary>Fresh instances of all targets.</summary>
    public static IReadOnlyList<FuzzTarget> Create() =>
    [
        Uapi("uapi-get", "UAPI get reply → WireGuardDevice; only WireGuardUapiException",
            bytes => UapiReplyParser.ParseGet("wgfuzz0", bytes, Source, null)),
        Uapi("uapi-set", "UAPI set reply; only WireGuardUapiException", bytes => UapiReplyParser.ParseSet(bytes, Source)),
        File("client-config", "client config TOML; only ValidationException; accepted configs survive ToToml → Parse",
            Dictionaries.Toml, bytes => ClientConfig(bytes), e => e is ValidationException),
        File("invitation", "invitation TOML; only ValidationException; accepted invitations survive ToInvitationToml → Parse",
            Dictionaries.Toml, bytes => Invitation(bytes), e => e is ValidationException),
        File("server-config", "server config TOML; only ValidationException; accepted configs survive ToToml → Parse",
            Dictionaries.Toml, bytes => ServerConfigRoundTrip(bytes), e => e is ValidationException),
        File("datastore", "client peer cache JSON; only InnernetException; accepted caches survive write → read",
            Dictionaries.Json, bytes => DataStoreRoundTrip(bytes), e => e is InnernetException),
        File("hosts", "hosts file section merge; only InnernetException; the merge is idempotent and holds the section",
            Dictionaries.Hosts, bytes => HostsMerge(bytes), e => e is InnernetException),
        File("replicas-header", "X-Innernet-Replicas value; never throws, no entry reads as none; what is read survives Format → Parse",
            Dictionaries.Replicas, bytes => ReplicasHeader(bytes), e => e is FuzzInput.ReadAsNone),
        File("replicas-file", "<iface>.replicas file; never throws, malformed reads as none; what is read survives Format → Parse",
            Dictionaries.Replicas, bytes => ReplicasFile(bytes), e => e is FuzzInput.ReadAsNone),
        .. ApiTargets.Create(),
        NetlinkTargets.WireGuardDump(),
    ];

    /// <summary>The target called <paramref name="name"/>, freshly made, or null.</summary>
    public static FuzzTarget? Find(string name) => Create().FirstOrDefault(t => t.Name == name);

    /// <summary>The seed inputs of a target, shipped next to the assembly.</summary>
    public static IReadOnlyList<byte[]> SeedsOf(string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Seeds", name);
        return [.. Directory.GetFiles(dir).Order(StringComparer.Ordinal).Select(System.IO.File.ReadAllBytes)];
    }

    private static FuzzTarget Uapi(string name, string description, Action<byte[]> run) => new()
    {
        Name = name,
        Description = description,
        Seeds = () => SeedsOf(name),
        Dictionary = Dictionaries.Uapi,
        Run = run,
        IsDocumented = e => e is WireGuardUapiException,
    };

    internal static FuzzTarget File(
        string name, string description, string[] dictionary, Action<byte[]> run, Func<Exception, bool> documented) =>
        new()
        {
            Name = name,
            Description = description,
            Seeds = () => SeedsOf(name),
            Dictionary = dictionary,
            Run = run,
            IsDocumented = documented,
        };

    private static void ClientConfig(byte[] bytes)
    {
        var config = InterfaceConfig.Parse(FuzzInput.FileText(bytes), Source);
        if (!InterfaceConfig.Parse(config.ToToml(), Source).Equals(config))
        {
            throw FuzzInput.Broken("Parse(ToToml(config)) == config");
        }
    }

    private static void Invitation(byte[] bytes)
    {
        var config = InterfaceConfig.Parse(FuzzInput.FileText(bytes), Source);
        var invitation = config with
        {
            Interface = config.Interface with { ListenPort = null },
            PeerEndpointOverrides = new Dictionary<System.Net.IPAddress, Core.Model.Endpoint>(),
        };
        if (!InterfaceConfig.Parse(invitation.ToInvitationToml(), Source).Equals(invitation))
        {
            throw FuzzInput.Broken("Parse(ToInvitationToml(invitation)) == invitation");
        }
    }

    private static void ServerConfigRoundTrip(byte[] bytes)
    {
        var config = ServerConfig.Parse(FuzzInput.FileText(bytes), Source);
        if (ServerConfig.Parse(config.ToToml(), Source) != config)
        {
            throw FuzzInput.Broken("Parse(ToToml(config)) == config");
        }
    }

    private static void DataStoreRoundTrip(byte[] bytes)
    {
        if (DataStore.Parse(bytes, Source) is not { } contents)
        {
            return;
        }

        byte[] written = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(contents, DataStoreJsonContext.Default.DataStoreContents);
        var again = DataStore.Parse(written, Source)
            ?? throw FuzzInput.Broken("a written cache reads back as empty");
        if (!again.Peers.SequenceEqual(contents.Peers) || !again.Cidrs.SequenceEqual(contents.Cidrs))
        {
            throw FuzzInput.Broken("read(write(cache)) == cache");
        }
    }

    private static void ReplicasHeader(byte[] bytes)
    {
        var read = ReplicaAnnouncement.Parse(FuzzInput.FileText(bytes));
        CheckReplicas(read);
        if (!ReplicaAnnouncement.Parse(ReplicaAnnouncement.Format(read)).SequenceEqual(read))
        {
            throw FuzzInput.Broken("Parse(Format(endpoints)) == endpoints");
        }
    }

    private static void ReplicasFile(byte[] bytes)
    {
        var read = ReplicaFile.Parse(FuzzInput.FileText(bytes));
        CheckReplicas(read);
        if (!ReplicaFile.Parse(ReplicaFile.Format(read)).SequenceEqual(read))
        {
            throw FuzzInput.Broken("Parse(Format(endpoints)) == endpoints");
        }
    }

    /// <summary>Endpoints a client would use: distinct, specified, at most the announcement's maximum; none is a rejection.</summary>
    private static void CheckReplicas(IReadOnlyList<Core.Model.Endpoint> read)
    {
        if (read.Count == 0)
        {
            throw new FuzzInput.ReadAsNone();
        }

        if (read.Count > ReplicaAnnouncement.MaxCount || read.Distinct().Count() != read.Count || read.Any(e => e.IsUnspecified))
        {
            throw FuzzInput.Broken("at most MaxCount distinct, specified endpoints");
        }
    }

    private static readonly string[] HostsInterfaces = ["evilcorp", "fxnet", "other"];

    private static readonly string[] HostsLines = ["10.66.0.1 innernet-server.fxnet.wg", "10.66.1.1 p1.fxnet.wg p1-alias.fxnet.wg"];

    private static void HostsMerge(byte[] bytes)
    {
        string iface = HostsInterfaces[bytes.Length % HostsInterfaces.Length];
        string merged = HostsFile.Merge(FuzzInput.FileText(bytes), Source, iface, HostsLines);
        string section = $"# DO NOT EDIT innernet {iface} BEGIN\n{string.Join('\n', HostsLines)}\n# DO NOT EDIT innernet {iface} END\n";
        if (!merged.Contains(section, StringComparison.Ordinal))
        {
            throw FuzzInput.Broken("the merged file holds the section");
        }

        if (HostsFile.Merge(merged, Source, iface, HostsLines) != merged)
        {
            throw FuzzInput.Broken("merging twice changes nothing");
        }
    }
}
