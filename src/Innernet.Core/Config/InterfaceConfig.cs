using Innernet.Netlink.Route;
using System.Collections.ObjectModel;
using Innernet.Core.Cidrs;
using Innernet.Core.Model;

namespace Innernet.Core.Config;

/// <summary>
/// A client's <c>/etc/innernet/&lt;iface&gt;.conf</c>, and the invitation file (same shape with a comment header,
/// no listen port, no overrides). Sections: <c>[interface]</c>, <c>[server]</c> and the optional
/// <c>[peer-endpoint-overrides]</c> table mapping peer IPs to endpoints.
/// </summary>
public sealed record InterfaceConfig
{
    private const string InterfaceSection = "interface";
    private const string ServerSection = "server";
    private const string OverridesSection = "peer-endpoint-overrides";

    private static readonly string[] InvitationHeader =
    [
        "This is an innernet invitation file: it lets one machine join an innernet network.",
        "",
        "To use it, install innernet on that machine and run:",
        "",
        "    innernet install <path to this file>",
        "",
        "The file holds a one-time key and expires; keep it secret and do not edit it.",
    ];

    private IReadOnlyDictionary<IPAddress, Endpoint> _overrides = ReadOnlyDictionary<IPAddress, Endpoint>.Empty;

    /// <summary>The <c>[interface]</c> section.</summary>
    public required InterfaceInfo Interface { get; init; }

    /// <summary>The <c>[server]</c> section.</summary>
    public required ServerInfo Server { get; init; }

    /// <summary>Local per-peer endpoint overrides by peer IP (never sent to the server); empty when absent.</summary>
    public IReadOnlyDictionary<IPAddress, Endpoint> PeerEndpointOverrides
    {
        get => _overrides;
        init => _overrides = value ?? ReadOnlyDictionary<IPAddress, Endpoint>.Empty;
    }

    /// <summary>Parses the TOML text (config or invitation); <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ValidationException">A key is missing or invalid; the message names file, section and key.</exception>
    public static InterfaceConfig Parse(string toml, string source = "interface config")
    {
        ArgumentNullException.ThrowIfNull(toml);
        var doc = TomlDocument.Parse(toml, source);
        var iface = doc.Section(InterfaceSection);
        var server = doc.Section(ServerSection);

        string networkName = doc.String(iface, InterfaceSection, "network-name");
        if (!NetworkName.IsValid(networkName))
        {
            throw doc.Invalid(
                InterfaceSection, "network-name", $"'{networkName}' is not a valid network name (lowercase hostname, at most 15 bytes)");
        }

        var overrides = new Dictionary<IPAddress, Endpoint>();
        if (doc.OptionalSection(OverridesSection) is { } table)
        {
            foreach (var (key, _) in table)
            {
                if (key.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(key, out var ip))
                {
                    throw doc.Invalid(OverridesSection, key, "is not a peer IP address");
                }

                overrides[ip] = doc.Endpoint(table, OverridesSection, key);
            }
        }

        return new InterfaceConfig
        {
            Interface = new InterfaceInfo(
                networkName,
                doc.InterfaceAddress(iface, InterfaceSection, "address"),
                doc.Key(iface, InterfaceSection, "private-key"),
                doc.OptionalPort(iface, InterfaceSection, "listen-port")),
            Server = new ServerInfo(
                doc.Key(server, ServerSection, "public-key"),
                doc.Endpoint(server, ServerSection, "external-endpoint"),
                doc.SocketAddress(server, ServerSection, "internal-endpoint")),
            PeerEndpointOverrides = overrides,
        };
    }

    /// <summary>Reads a client config; warns when the file is world-accessible (but goes ahead).</summary>
    /// <exception cref="ValidationException">The file is missing, unreadable or invalid.</exception>
    public static LoadedConfig<InterfaceConfig> Load(string path)
    {
        var config = Parse(ConfigFile.Read(path, "interface config"), path);
        var warning = ConfigFile.WorldAccessibleWarning(path);
        return new LoadedConfig<InterfaceConfig>(config, warning is null ? [] : [warning]);
    }

    /// <summary>Reads an invitation file (a listen port or overrides in it are ignored).</summary>
    /// <exception cref="ValidationException">The file is missing, unreadable or invalid.</exception>
    public static LoadedConfig<InterfaceConfig> LoadInvitation(string path)
    {
        var config = Parse(ConfigFile.Read(path, "invitation"), path);
        config = config with
        {
            Interface = config.Interface with { ListenPort = null },
            PeerEndpointOverrides = ReadOnlyDictionary<IPAddress, Endpoint>.Empty,
        };
        var warning = ConfigFile.WorldAccessibleWarning(path);
        return new LoadedConfig<InterfaceConfig>(config, warning is null ? [] : [warning]);
    }

    /// <summary>
    /// Builds an invitation: the temporary key, the peer IP with the root prefix, and the server contact.
    /// </summary>
    public static InterfaceConfig CreateInvitation(
        string networkName,
        IPAddress peerIp,
        CidrTree tree,
        Netlink.WireGuard.WireGuardKey temporaryPrivateKey,
        ServerInfo server)
    {
        ArgumentNullException.ThrowIfNull(tree);
        NetworkName.Validate(networkName);
        return new InterfaceConfig
        {
            Interface = new InterfaceInfo(networkName, tree.GetInterfaceAddress(peerIp), temporaryPrivateKey),
            Server = server,
        };
    }

    /// <summary>The client config TOML (overrides sorted by IP; the table is omitted when empty).</summary>
    public string ToToml() => Build(new TomlText(), includeLocal: true);

    /// <summary>The invitation TOML: a comment header, then <c>[interface]</c> (no listen port) and <c>[server]</c>.</summary>
    public string ToInvitationToml()
    {
        var text = new TomlText();
        foreach (string line in InvitationHeader)
        {
            text.Comment(line);
        }

        return Build(text, includeLocal: false);
    }

    /// <summary>Writes the client config atomically with mode 0600 (directory created 0700).</summary>
    public void Save(string path) => ConfigFile.Write(path, ToToml());

    /// <summary>Writes the invitation with mode 0600; fails with <see cref="IOException"/> if the file exists.</summary>
    public void SaveInvitation(string path) => ConfigFile.Write(path, ToInvitationToml(), createNew: true);

    /// <inheritdoc/>
    public bool Equals(InterfaceConfig? other)
        => other is not null
            && Interface == other.Interface
            && Server == other.Server
            && PeerEndpointOverrides.Count == other.PeerEndpointOverrides.Count
            && PeerEndpointOverrides.All(kv => other.PeerEndpointOverrides.TryGetValue(kv.Key, out var e) && e == kv.Value);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Interface, Server);

    private string Build(TomlText text, bool includeLocal)
    {
        text.Section(InterfaceSection)
            .String("network-name", Interface.NetworkName)
            .String("address", Interface.Address.ToString())
            .String("private-key", Interface.PrivateKey.ToBase64());
        if (includeLocal && Interface.ListenPort is { } port)
        {
            text.Integer("listen-port", port);
        }

        text.Section(ServerSection)
            .String("public-key", Server.PublicKey.ToBase64())
            .String("external-endpoint", Server.ExternalEndpoint.ToString())
            .String("internal-endpoint", Server.InternalEndpoint.ToString());

        if (includeLocal && PeerEndpointOverrides.Count > 0)
        {
            text.Section(OverridesSection);
            foreach (var (ip, endpoint) in PeerEndpointOverrides.OrderBy(kv => kv.Key, IPAddressOrder.Instance))
            {
                text.String(ip.ToString(), endpoint.ToString());
            }
        }

        return text.ToString();
    }
}
