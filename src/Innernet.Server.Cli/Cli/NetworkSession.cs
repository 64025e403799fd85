using System.Net;
using Innernet.Cli;
using Innernet.Core;
using Innernet.Core.Config;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using Innernet.Server.PostgreSql;
using Microsoft.Extensions.Logging;

namespace Innernet.Server.Cli;

/// <summary>One verb's access to an existing network: its files, its server config and its data (live server or database).</summary>
internal sealed class NetworkSession : IAsyncDisposable
{
    private readonly INetworkAdmin? _admin;

    private NetworkSession(ServerPaths paths, ServerConfig config, INetworkReader reader, INetworkAdmin? admin)
    {
        Paths = paths;
        Config = config;
        Reader = reader;
        _admin = admin;
    }

    public ServerPaths Paths { get; }

    public ServerConfig Config { get; }

    /// <summary>The network's data to list.</summary>
    public INetworkReader Reader { get; }

    /// <summary>The network's data to change; not for a session opened with <see cref="OpenForReadingAsync"/>.</summary>
    public INetworkAdmin Admin => _admin ?? throw new InvalidOperationException("Internal error: this session was opened read-only.");

    public string Interface => Paths.Interface;

    public WireGuardKey ServerPublicKey => KeyPair.FromPrivate(Config.PrivateKey).Public;

    /// <summary>
    /// Opens the network named <paramref name="iface"/>: through the running server's admin socket if it answers, else the
    /// database.
    /// </summary>
    public static Task<NetworkSession> OpenAsync(CliContext context, GlobalArgs global, string iface, CancellationToken cancellationToken)
        => OpenAsync(context, global, iface, write: true, cancellationToken);

    /// <summary>
    /// Opens the network named <paramref name="iface"/> for the verbs that only list: through the running server's admin
    /// socket if it answers, else the database opened only to read (<see cref="OpenReader"/>). Only <see cref="Reader"/> is
    /// available.
    /// </summary>
    public static Task<NetworkSession> OpenForReadingAsync(
        CliContext context, GlobalArgs global, string iface, CancellationToken cancellationToken)
        => OpenAsync(context, global, iface, write: false, cancellationToken);

    private static async Task<NetworkSession> OpenAsync(
        CliContext context, GlobalArgs global, string iface, bool write, CancellationToken cancellationToken)
    {
        var paths = OpenPaths(global, iface);
        var config = LoadConfig(context, paths);
        if (await SocketNetworkAdmin.TryConnectAsync(paths.AdminSocket, cancellationToken).ConfigureAwait(false) is { } live)
        {
            return new NetworkSession(paths, config, live, write ? live : null);
        }

        if (!write)
        {
            return new NetworkSession(paths, config, new StoreNetworkReader(OpenReader(context, paths, config)), null);
        }

        var direct = new DirectNetworkAdmin(
            OpenStore(context, paths, config),
            iface,
            KeyPair.FromPrivate(config.PrivateKey).Public,
            () => context.OpenWireGuard(global.Network.Backend),
            context.Time,
            context.Error);
        return new NetworkSession(paths, config, direct, direct);
    }

    /// <summary>Fails when the network's server runs (its admin socket answers): for verbs that need the database to themselves.</summary>
    public static async Task RequireStoppedAsync(ServerPaths paths, CancellationToken cancellationToken)
    {
        await using var live = await SocketNetworkAdmin.TryConnectAsync(paths.AdminSocket, cancellationToken).ConfigureAwait(false);
        if (live is not null)
        {
            throw new CliUserException(
                $"the server of '{paths.Interface}' is running; stop it first (systemctl stop innernet-server@{paths.Interface})");
        }
    }

    /// <summary>Checks the interface name and that the network's config file exists.</summary>
    public static ServerPaths OpenPaths(GlobalArgs global, string iface)
    {
        if (!NetworkName.IsValid(iface))
        {
            throw new CliUserException(
                $"'{iface}' is not a valid network name (lowercase letters, digits and inner dashes, at most 15 bytes)", ExitCode.Usage);
        }

        var paths = global.PathsFor(iface);
        if (!File.Exists(paths.ConfigFile))
        {
            throw new CliUserException($"network '{iface}' not found: no config file {paths.ConfigFile}", ExitCode.NotFound);
        }

        return paths;
    }

    /// <summary>Loads the server config, tightening it to 0600 with a warning like innernet.</summary>
    public static ServerConfig LoadConfig(CliContext context, ServerPaths paths)
    {
        var loaded = ServerConfig.Load(paths.ConfigFile);
        foreach (string warning in loaded.Warnings)
        {
            context.Error.WriteLine($"warning: {warning}");
        }

        return loaded.Config;
    }

    /// <summary>
    /// Opens the network's store: in PostgreSQL when <paramref name="connection"/> (else the config's <c>[database]
    /// connection</c>) names one, as a replica when <paramref name="replica"/> or the config's <c>replica</c> says so; else the
    /// LiteDB file in the data directory.
    /// </summary>
    public static ServerStore OpenStore(
        CliContext context, ServerPaths paths, ServerConfig config, string? connection = null, bool replica = false,
        ILoggerFactory? loggers = null)
    {
        replica |= config.DatabaseReplica;
        if ((connection ?? config.DatabaseConnection) is { } postgres)
        {
            return OpenPostgreSql(paths, postgres, replica, loggers);
        }

        if (replica)
        {
            throw new CliUserException(
                $"replicas share a PostgreSQL database, and network '{paths.Interface}' has none (--database, or [database] connection)",
                ExitCode.Usage);
        }

        var store = OpenFile(paths, ServerStore.Open);
        WarnTightened(context, paths, store.FileModeTightenedFrom);
        return store;
    }

    /// <summary>
    /// Opens the network's store to list it: the LiteDB file read-only (<see cref="ReadOnlyServerStore"/>); a PostgreSQL
    /// database the way <see cref="OpenStore"/> does (a whole store, as a replica when the config says so: that engine has no
    /// read-only open).
    /// </summary>
    public static IServerStoreReader OpenReader(CliContext context, ServerPaths paths, ServerConfig config)
    {
        if (config.DatabaseConnection is { } postgres)
        {
            return OpenPostgreSql(paths, postgres, config.DatabaseReplica);
        }

        var store = OpenFile(paths, ReadOnlyServerStore.Open);
        WarnTightened(context, paths, store.FileModeTightenedFrom);
        return store;
    }

    private static T OpenFile<T>(ServerPaths paths, Func<string, T> open)
    {
        if (!File.Exists(paths.Database))
        {
            throw new CliUserException($"network '{paths.Interface}' has no database {paths.Database}", ExitCode.NotFound);
        }

        try
        {
            return open(paths.Database);
        }
        catch (StoreException e)
        {
            throw Unavailable(paths, e);
        }
    }

    private static void WarnTightened(CliContext context, ServerPaths paths, UnixFileMode? previous)
    {
        if (previous is { } mode)
        {
            context.Error.WriteLine($"warning: updated permissions of {paths.Database} from {Convert.ToString((int)mode, 8)} to 600");
        }
    }

    private static ServerStore OpenPostgreSql(ServerPaths paths, string connection, bool replica, ILoggerFactory? loggers = null)
    {
        try
        {
            return ServerStore.Open(Connect(connection, replica, loggers));
        }
        catch (StoreException e)
        {
            throw Unavailable(paths, e);
        }
    }

    private static CliUserException Unavailable(ServerPaths paths, StoreException e) => new(
        $"{e.Message} (if 'innernet-server serve {paths.Interface}' is running, its admin socket {paths.AdminSocket} should answer)",
        ExitCode.Failure,
        e);

    /// <summary>
    /// A PostgreSQL engine for <paramref name="connection"/> (a <paramref name="replica"/>'s: sharing the database); a bad
    /// setting is a usage error naming the setting.
    /// </summary>
    public static PostgreSqlStoreEngine Connect(string connection, bool replica = false, ILoggerFactory? loggers = null)
    {
        try
        {
            return PostgreSqlStoreEngine.Connect(connection, replica, loggers);
        }
        catch (ValidationException e)
        {
            throw new CliUserException(e.Message, ExitCode.Usage, e);
        }
    }

    /// <summary>The server part of an invitation: public key, external endpoint (peer 1's endpoint), overlay address and port.</summary>
    public ServerInfo ServerInfo(IReadOnlyList<Peer> peers)
    {
        var server = peers.FirstOrDefault(p => p.Id == Peer.ServerId)
            ?? throw new CliUserException("the database has no server peer (id 1): it is damaged");
        var endpoint = server.Endpoint
            ?? throw new CliUserException("the server peer has no external endpoint; set one with 'set-external-endpoint'");
        return new ServerInfo(ServerPublicKey, endpoint, new IPEndPoint(Config.Address, Config.ListenPort));
    }

    public ValueTask DisposeAsync() => Reader.DisposeAsync();
}
