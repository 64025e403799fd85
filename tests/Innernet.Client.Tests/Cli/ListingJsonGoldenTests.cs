using Innernet.Cli;
using Innernet.Client.Tests.Fakes;
using Innernet.Core.Config;
using Innernet.Core.Contracts;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Server.Cli;

namespace Innernet.Client.Tests.Cli;

/// <summary>
/// One JSON contract per listing: for the same network, <c>innernet-server</c> (reading its database) and <c>inn</c> (its peer
/// cache for <c>list-cidrs</c>, the API for <c>list-associations</c>) print the same bytes, the API's own shape, which parse
/// back into the contract types.
/// </summary>
public sealed class ListingJsonGoldenTests
{
    private const string Net = InProcessServer.NetworkName;

    /// <summary>The network <see cref="CreateWithServerCliAsync"/> makes, written out by hand from the API contract.</summary>
    private const string CidrsJson =
        """[{"id":1,"name":"testnet","cidr":"127.42.0.0/16","parent":null},"""
        + """{"id":2,"name":"innernet-server","cidr":"127.42.0.1/32","parent":1},"""
        + """{"id":3,"name":"robots","cidr":"127.42.2.0/24","parent":1},"""
        + """{"id":4,"name":"humans","cidr":"127.42.1.0/24","parent":1},"""
        + """{"id":5,"name":"arms","cidr":"127.42.2.0/25","parent":3}]""" + "\n";

    private const string AssociationsJson = """[{"id":1,"cidr_id_1":4,"cidr_id_2":3},{"id":2,"cidr_id_1":5,"cidr_id_2":4}]""" + "\n";

    [Fact]
    public async Task ListCidrsAndAssociationsJson_BothClis_SameBytes_TheApiContract()
    {
        await using var network = await BothClis.CreateAsync(["list-cidrs", Net, "--json"], ["list-associations", Net, "--json"]);
        string serverCidrs = network.ServerListings[0];
        string serverAssociations = network.ServerListings[1];

        string clientCidrs = await network.ClientAsync("list-cidrs", Net, "--json");
        string clientAssociations = await network.ClientAsync("list-associations", Net, "--json");

        Assert.Equal(CidrsJson, serverCidrs);
        Assert.Equal(serverCidrs, clientCidrs);
        Assert.Equal(AssociationsJson, serverAssociations);
        Assert.Equal(serverAssociations, clientAssociations);
        var store = network.Server.Store;
        Assert.Equal(store.ListCidrs().OrderBy(c => c.Id), InnernetJson.Deserialize<IReadOnlyList<Cidr>>(clientCidrs));
        Assert.Equal(store.ListAssociations().OrderBy(a => a.Id), InnernetJson.Deserialize<IReadOnlyList<Association>>(clientAssociations));
    }

    [Fact]
    public async Task ListCidrsText_BothClis_SameText_ChildrenInAddressOrder()
    {
        await using var network = await BothClis.CreateAsync(["list-cidrs", Net, "--tree"], ["list-cidrs", Net]);
        string serverTree = network.ServerListings[0];
        string serverFlat = network.ServerListings[1];

        string clientTree = await network.ClientAsync("list-cidrs", Net, "--tree");
        string clientFlat = await network.ClientAsync("list-cidrs", Net);

        // robots was added before humans: both forms still list humans (127.42.1.0) first.
        Assert.Equal(
            "127.42.0.0/16 testnet\n  127.42.0.1/32 innernet-server\n  127.42.1.0/24 humans\n"
            + "  127.42.2.0/24 robots\n    127.42.2.0/25 arms\n",
            serverTree);
        Assert.Equal(serverTree, clientTree);
        Assert.Equal(
            "127.42.0.0/16 testnet\n127.42.0.1/32 innernet-server\n127.42.1.0/24 humans\n127.42.2.0/24 robots\n127.42.2.0/25 arms\n",
            serverFlat);
        Assert.Equal(serverFlat, clientFlat);
    }

    /// <summary>
    /// A network made by <c>innernet-server</c> on files in a temp directory and listed by it (with the server stopped: one
    /// store holds a database at a time), then served by the real API to an admin peer whose <c>inn up</c> filled its cache.
    /// </summary>
    private sealed class BothClis : IAsyncDisposable
    {
        private readonly ClientFiles _files;
        private readonly CliHarness _client;

        private BothClis(InProcessServer server, ClientFiles files, CliHarness client, IReadOnlyList<string> serverListings)
        {
            Server = server;
            _files = files;
            _client = client;
            ServerListings = serverListings;
        }

        public InProcessServer Server { get; }

        /// <summary>What <c>innernet-server</c> printed for each of the listings asked for.</summary>
        public IReadOnlyList<string> ServerListings { get; }

        public static async Task<BothClis> CreateAsync(params string[][] serverListings)
        {
            string root = Directory.CreateTempSubdirectory("inn-golden-").FullName;
            await CreateWithServerCliAsync(root);
            var listings = new List<string>();
            foreach (var listing in serverListings)
            {
                listings.Add(await ServerCliAsync(root, listing));
            }

            var keys = KeyPair.FromPrivate(ServerConfig.Load(Path.Combine(root, "etc", Net + ".conf")).Config.PrivateKey);
            var server = await InProcessServer.StartAsync(root, ServerStore.Open(Path.Combine(root, "lib", Net + ".db")), keys);
            var files = new ClientFiles();
            var humans = server.Store.ListCidrs().Single(c => c.Name == "humans");
            var (admin, adminKeys) = server.AddPeer("admin", "127.42.1.1", humans.Id, admin: true);
            server.ClientConfig(admin.Ip, adminKeys).Save(files.ConfigFile(Net));
            var client = new CliHarness(files, new FakeInterfaceLayer(), new ManualTime(DateTimeOffset.UtcNow));
            var network = new BothClis(server, files, client, listings);
            await network.ClientAsync("up", Net, "--no-write-hosts", "--no-nat-traversal");
            return network;
        }

        /// <summary>Runs <c>inn</c>; it must succeed.</summary>
        public async Task<string> ClientAsync(params string[] args)
        {
            int code = await _client.RunAsync(args);
            Assert.True(code == 0, $"inn {string.Join(' ', args)}: exit {code}\n{_client.Error}");
            return _client.Out.ToString();
        }

        public async ValueTask DisposeAsync()
        {
            _files.Dispose();
            await Server.DisposeAsync();
        }
    }

    /// <summary>
    /// <c>new</c>, then robots before humans (ids out of address order), arms under robots, and two associations (their
    /// CIDRs named in the order that makes <c>cidr_id_1</c> the larger id).
    /// </summary>
    private static async Task CreateWithServerCliAsync(string root)
    {
        await ServerCliAsync(root, "new", "--network-name", Net, "--network-cidr", InProcessServer.Root.ToString(),
            "--external-endpoint", InProcessServer.ExternalEndpoint.ToString(), "--listen-port", "51820");
        Assert.Equal(InProcessServer.ServerIp, ServerConfig.Load(Path.Combine(root, "etc", Net + ".conf")).Config.Address);
        await ServerCliAsync(root, "add-cidr", Net, "--name", "robots", "--cidr", "127.42.2.0/24", "--parent", Net, "--yes");
        await ServerCliAsync(root, "add-cidr", Net, "--name", "humans", "--cidr", "127.42.1.0/24", "--parent", Net, "--yes");
        await ServerCliAsync(root, "add-cidr", Net, "--name", "arms", "--cidr", "127.42.2.0/25", "--parent", "robots", "--yes");
        await ServerCliAsync(root, "add-association", Net, "humans", "robots");
        await ServerCliAsync(root, "add-association", Net, "arms", "humans");
    }

    /// <summary>Runs <c>innernet-server</c> in-process on the network files under <paramref name="root"/>; it must succeed.</summary>
    private static async Task<string> ServerCliAsync(string root, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext
        {
            Out = output,
            Error = error,
            Prompter = NoTerminalPrompter.Instance,
            IsRoot = static () => true,
            OpenWireGuard = _ => new InMemoryWireGuard(),
        };
        int code = await ServerCommandLine.InvokeAsync(
            [.. args, "-c", Path.Combine(root, "etc"), "-d", Path.Combine(root, "lib")], context, handleTermination: false,
            TestContext.Current.CancellationToken);
        Assert.True(code == 0, $"innernet-server {string.Join(' ', args)}: exit {code}\n{error}");
        return output.ToString();
    }
}
