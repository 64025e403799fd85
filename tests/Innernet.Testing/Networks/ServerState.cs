using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Innernet.Testing.Networks;

/// <summary>What the server's database holds, read with <c>innernet-server list-cidrs/list-peers/list-associations --json</c>.</summary>
public sealed class ServerState
{
    public ServerState(IReadOnlyList<ServerCidr> cidrs, IReadOnlyList<ServerPeer> peers, IReadOnlyList<ServerAssociation> associations)
    {
        Cidrs = cidrs;
        Peers = peers;
        Associations = associations;
    }

    public IReadOnlyList<ServerCidr> Cidrs { get; }

    public IReadOnlyList<ServerPeer> Peers { get; }

    public IReadOnlyList<ServerAssociation> Associations { get; }

    public VisibilityRule Rule => new(Cidrs, Peers, Associations);

    public ServerPeer Peer(string name) => Peers.Single(p => p.Name == name);

    public ServerCidr Cidr(string name) => Cidrs.Single(c => c.Name == name);

    /// <summary>Pairs of CIDR names, sorted, for readable comparisons.</summary>
    public IReadOnlyList<string> AssociationNames() =>
        [.. Associations.Select(a => string.Join(" <=> ",
            new[] { Name(a.CidrId1), Name(a.CidrId2) }.Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal)];

    public static ServerState Parse(string cidrsJson, string peersJson, string associationsJson)
    {
        using var cidrs = JsonDocument.Parse(cidrsJson);
        using var peers = JsonDocument.Parse(peersJson);
        using var associations = JsonDocument.Parse(associationsJson);
        return new ServerState(
            [.. cidrs.RootElement.EnumerateArray().Select(c => new ServerCidr(
                c.GetProperty("id").GetInt64(),
                c.GetProperty("name").GetString()!,
                IPNetwork.Parse(c.GetProperty("cidr").GetString()!),
                c.TryGetProperty("parent", out var parent) && parent.ValueKind == JsonValueKind.Number ? parent.GetInt64() : null))],
            [.. peers.RootElement.EnumerateArray().Select(p => new ServerPeer(
                p.GetProperty("id").GetInt64(),
                p.GetProperty("name").GetString()!,
                IPAddress.Parse(p.GetProperty("ip").GetString()!),
                p.GetProperty("cidr_id").GetInt64(),
                p.GetProperty("public_key").GetString()!,
                p.GetProperty("is_admin").GetBoolean(),
                p.GetProperty("is_disabled").GetBoolean(),
                p.GetProperty("is_redeemed").GetBoolean()))],
            [.. associations.RootElement.EnumerateArray().Select(a => new ServerAssociation(
                a.GetProperty("id").GetInt64(),
                a.GetProperty("cidr_id_1").GetInt64(),
                a.GetProperty("cidr_id_2").GetInt64()))]);
    }

    private string Name(long cidrId) => Cidrs.SingleOrDefault(c => c.Id == cidrId)?.Name ?? cidrId.ToString(CultureInfo.InvariantCulture);
}
