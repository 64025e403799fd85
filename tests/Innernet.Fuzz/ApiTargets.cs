using System.Net;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Innernet.Core;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using Innernet.Testing.Fuzzing;

namespace Innernet.Fuzz;

/// <summary>
/// The request bodies the server deserializes, each followed by what the server then does with it (the store
/// call of its endpoint), on an in-memory server store holding innernet 1.7.1's test network. The contract is
/// the API's: a body may be refused only with an exception the API answers with a 4xx (JSON, validation, not
/// found, gone, unauthorized); anything else would be a 500.
/// </summary>
internal static class ApiTargets
{
    // Peers and CIDRs of the innernet network the targets act on (ids as in innernet's database).
    private const long UpdatedPeerId = 4;
    private const long EndpointPeerId = 3;
    private const long RenamedCidrId = 5;

    // One moment before the open invitation (peer 6) expires.
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1798744000);

    public static IEnumerable<FuzzTarget> Create()
    {
        var network = new TestNetwork();
        yield return Target<PeerContents>("api-peer", "POST/PUT peer bodies → UpdatePeer (undone), AddPeer", network, (s, contents) =>
        {
            var before = s.GetPeer(UpdatedPeerId)!;
            var updated = Try(() =>
            {
                s.UpdatePeer(UpdatedPeerId, PeerUpdate.From(contents));
                s.UpdatePeer(UpdatedPeerId, PeerUpdate.From(before));
            });
            s.AddPeer(contents);
            network.Changed();
            updated?.Throw();
        });
        yield return Target<CidrContents>("api-cidr", "POST/PUT CIDR bodies → AddCidr, RenameCidr", network, (s, contents) =>
        {
            string name = s.GetCidr(RenamedCidrId)!.Name;
            var created = Try(() => s.DeleteCidr(s.AddCidr(contents).Id));
            s.RenameCidr(RenamedCidrId, contents.Name);
            s.RenameCidr(RenamedCidrId, name);
            created?.Throw();
        });
        yield return Target<AssociationContents>("api-association", "POST association bodies → AddAssociation", network,
            (s, contents) => s.DeleteAssociation(s.AddAssociation(contents).Id));
        yield return Target<RedeemContents>("api-redeem", "POST redeem bodies → Redeem", network, (s, contents) =>
        {
            s.Redeem(network.NextInvitation, contents.PublicKey, Now);
            network.Changed();
        });
        yield return Target<EndpointContents>("api-endpoint", "PUT endpoint bodies → SetEndpoint, SetServerEndpoint", network,
            (s, contents) =>
            {
                s.SetEndpoint(EndpointPeerId, contents.Endpoint);
                if (contents.Endpoint is { } endpoint)
                {
                    s.SetServerEndpoint(endpoint);
                }
            });
        yield return Target<List<Endpoint>>("api-candidates", "PUT candidate lists → SetCandidates (more than the maximum is a 413)",
            network, (s, candidates) =>
            {
                if (candidates.Count <= NetworkDefaults.MaxCandidates)
                {
                    s.SetCandidates(EndpointPeerId, candidates);
                }
            });
    }

    /// <summary>The 4xx exceptions of the API (everything else is answered with a 500).</summary>
    public static bool IsClientError(Exception e) =>
        e is JsonException or ValidationException or NotFoundException or GoneException or UnauthorizedException;

    private static FuzzTarget Target<T>(string name, string description, TestNetwork network, Action<ServerStore, T> apply)
        where T : notnull
        => FuzzTargets.File(
            name,
            $"{description}; only 4xx exceptions; accepted bodies survive serialize → deserialize",
            Dictionaries.Json,
            bytes =>
            {
                network.Tick();
                var body = InnernetJson.Deserialize<T>(bytes);
                var again = InnernetJson.Deserialize<T>(InnernetJson.SerializeToUtf8Bytes(body));
                if (!Same(body, again))
                {
                    throw FuzzInput.Broken("deserialize(serialize(body)) == body");
                }

                apply(network.Store, body);
            },
            IsClientError);

    private static bool Same<T>(T a, T b) where T : notnull
        => a is List<Endpoint> list ? list.SequenceEqual((List<Endpoint>)(object)b) : a.Equals(b);

    private static ExceptionDispatchInfo? Try(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e) when (IsClientError(e))
        {
            return ExceptionDispatchInfo.Capture(e);
        }
    }

    /// <summary>
    /// innernet 1.7.1's test network in an in-memory store, built once from the copied API answers plus open
    /// invitations to redeem. Peers cannot be deleted, so after <see cref="ChangesBeforeReset"/> lasting changes, or
    /// <see cref="InputsBeforeReset"/> inputs after the first one, the built database is reopened from its bytes
    /// (a reopen costs milliseconds, a parse microseconds) and the seeds are acceptable again.
    /// </summary>
    private sealed class TestNetwork
    {
        private const int ChangesBeforeReset = 32;
        private const int InputsBeforeReset = 1024;
        private const long FirstInvitationId = 7;

        // The invitations live in a CIDR of their own, so the seeds' addresses stay free.
        private static readonly CidrContents InvitationCidr = new("invitations", IPNetwork.Parse("10.66.16.0/24"), 1);

        private byte[]? _database;
        private ServerStore? _store;
        private int _changes;
        private int _inputs;

        public ServerStore Store => _store ??= Open();

        /// <summary>An invitation no input has redeemed since the last reset.</summary>
        public long NextInvitation => FirstInvitationId + _changes;

        /// <summary>Counts one input; resets the store when it has changed for long enough.</summary>
        public void Tick()
        {
            if (++_inputs >= InputsBeforeReset && _changes > 0)
            {
                Reset();
            }
        }

        /// <summary>Counts one lasting change (a peer added, an invitation redeemed).</summary>
        public void Changed()
        {
            if (++_changes >= ChangesBeforeReset)
            {
                Reset();
            }
        }

        private void Reset()
        {
            _store?.Dispose();
            _store = null;
            _changes = 0;
            _inputs = 0;
        }

        private ServerStore Open()
        {
            _database ??= Build();

            // An expandable copy: the store writes to its stream, and the built bytes must stay as they are.
            var stream = new MemoryStream();
            stream.Write(_database);
            stream.Position = 0;
            return ServerStore.Open(stream);
        }

        private static byte[] Build()
        {
            string dir = Path.Combine(AppContext.BaseDirectory, "Network");
            var cidrs = InnernetJson.Deserialize<List<Cidr>>(File.ReadAllBytes(Path.Combine(dir, "admin-cidrs.json")));
            var peers = InnernetJson.Deserialize<List<Peer>>(File.ReadAllBytes(Path.Combine(dir, "admin-peers.json")));
            var associations = InnernetJson.Deserialize<List<Association>>(File.ReadAllBytes(Path.Combine(dir, "admin-associations.json")));
            var server = peers[0];
            var stream = new MemoryStream();
            using (var store = ServerStore.Create(
                stream, new NewNetwork(cidrs[0].Name, cidrs[0].Network, server.Ip, server.PublicKey, server.Endpoint!)))
            {
                foreach (var cidr in cidrs.Skip(2))
                {
                    store.AddCidr(new CidrContents(cidr.Name, cidr.Network, cidr.Parent));
                }

                foreach (var peer in peers.Skip(1))
                {
                    store.AddPeer(peer.Contents);
                }

                foreach (var association in associations)
                {
                    store.AddAssociation(new AssociationContents(association.CidrId1, association.CidrId2));
                }

                long invitationCidr = store.AddCidr(InvitationCidr).Id;
                var invitation = peers.Single(p => !p.IsRedeemed).Contents with { CidrId = invitationCidr };
                for (int i = 0; i < ChangesBeforeReset; i++)
                {
                    var key = new byte[WireGuardKey.Size];
                    key[0] = (byte)(i + 1);
                    key[^1] = 0x42;
                    var added = store.AddPeer(invitation with
                    {
                        Name = $"invite{i}",
                        Ip = store.FindFreeIp(invitationCidr),
                        PublicKey = new WireGuardKey(key),
                    });
                    if (added.Id != FirstInvitationId + i)
                    {
                        throw new InvalidOperationException($"invitation {i} got peer id {added.Id}");
                    }
                }
            }

            return stream.ToArray();
        }
    }
}
