using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Api;
using Innernet.Core.Config;
using Innernet.Core.Keys;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Fetch;

/// <summary>
/// <c>rotate-key</c>: replaces this peer's key pair without a new invitation. The new pair is made here and kept on
/// disk (<see cref="PendingRedeemKey"/>, <c>&lt;iface&gt;.rotate-key</c>) BEFORE anything is sent; the step from the
/// current key to the new one is signed with the current private key (<see cref="KeyRotationProof"/>) and sent over
/// the tunnel (<c>POST /v1/user/rotate-key</c>); after the server's 204 the config and the device switch to the new key.
/// A lost answer loses nothing: the next run finds the pending key, learns from the server whether it already holds it
/// (switching the device to the new key when the old one no longer reaches the server) and finishes.
/// </summary>
public sealed class KeyRotator
{
    /// <summary>Attempts to reach the server, alternating the device between the old and the new key after a silence.</summary>
    public const int Attempts = 4;

    private const string PendingExtension = ".rotate-key";

    private readonly IInterfaceLayer _layer;
    private readonly IClientLog _log;
    private readonly Func<InterfaceConfig, InnernetApiClient> _api;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    /// <param name="layer">The device layer.</param>
    /// <param name="log">Progress output.</param>
    /// <param name="apiFactory">Creates the API client (default <see cref="ApiClientFactory.Default"/>).</param>
    /// <param name="delay">Sleeps between attempts; default real delays.</param>
    public KeyRotator(
        IInterfaceLayer layer,
        IClientLog? log = null,
        Func<InterfaceConfig, InnernetApiClient>? apiFactory = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layer = layer;
        _log = log ?? NullClientLog.Instance;
        _api = apiFactory ?? ApiClientFactory.Default;
        _delay = delay ?? Task.Delay;
    }

    /// <summary><c>&lt;config-dir&gt;/&lt;iface&gt;.rotate-key</c>: the new key pair while a rotation is unfinished.</summary>
    public static string PendingPath(string configDirectory, string interfaceName)
        => Path.Combine(configDirectory, interfaceName + PendingExtension);

    /// <summary>Rotates the key of the installed, up network <paramref name="interfaceName"/>.</summary>
    /// <returns>The new public key and its generation.</returns>
    /// <exception cref="InnernetException">
    /// The network is not installed or not up, the server does not support rotation (404) or refused the step (the
    /// pending key is then removed: nothing changed), or the server could not be reached (the pending key stays; run
    /// the rotation again to finish it).
    /// </exception>
    public async Task<(WireGuardKey PublicKey, long Generation)> RotateAsync(
        string configDirectory, string interfaceName, CancellationToken cancellationToken = default)
    {
        string configPath = ClientPaths.ConfigFile(configDirectory, interfaceName);
        if (!File.Exists(configPath))
        {
            throw new NotFoundException($"Network '{interfaceName}' is not installed here: '{configPath}' does not exist.");
        }

        var config = InterfaceConfig.Load(configPath).Config;
        if (_layer.WireGuard.GetDevice(interfaceName) is null)
        {
            throw new InnernetException(
                $"Interface {interfaceName} is not up; the new key is sent over its tunnel. Run 'innernet up {interfaceName}' first.");
        }

        var current = KeyPair.FromPrivate(config.Interface.PrivateKey);
        var pending = PendingRedeemKey.LoadOrCreate(PendingPath(configDirectory, interfaceName), current.Public);
        if (pending.Resumed)
        {
            _log.Info($"resuming an earlier rotation: the new key kept in '{pending.FilePath}'");
        }

        var ownIp = config.Interface.Address.Address;
        long generation;
        try
        {
            var own = await OwnPeerAsync(interfaceName, config, current, pending.Keys, ownIp, cancellationToken).ConfigureAwait(false);
            generation = KeyRotationProof.GenerationOf(own);
            if (own.PublicKey == current.Public)
            {
                generation++;
                var step = KeyRotationProof.Create(current.Private, config.Server.PublicKey, ownIp, pending.Keys.Public, generation);
                _log.Info($"sending the new public key (generation {generation}), signed by the current key");
                using var api = _api(config);
                await api.RotateKeyAsync(step, cancellationToken).ConfigureAwait(false);
            }
            else if (own.PublicKey == pending.Keys.Public)
            {
                _log.Info("the server already holds the new key (an earlier answer was lost)");
            }
            else
            {
                throw new InnernetException(
                    $"The server lists this peer ({ownIp}) with a key that is neither this config's nor the pending new one; "
                    + "nothing changed.");
            }
        }
        catch (ApiStatusException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            pending.Delete();
            RestoreDevice(interfaceName, current.Private);
            throw new InnernetException(
                "The server does not support key rotation (it answered 404 to POST /v1/user/rotate-key, as innernet's own server " +
                "does); nothing changed.", e);
        }
        catch (ApiStatusException e) when (e.StatusCode is >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError)
        {
            // A definite refusal: the server did not take this key.
            pending.Delete();
            RestoreDevice(interfaceName, current.Private);
            throw;
        }
        catch (InnernetException)
        {
            _log.Warning($"the new key is kept in '{pending.FilePath}'; run rotate-key again to finish the rotation");
            throw;
        }

        (config with { Interface = config.Interface with { PrivateKey = pending.Keys.Private } }).Save(configPath);
        _layer.WireGuard.ConfigureDevice(interfaceName, new DeviceConfig { PrivateKey = pending.Keys.Private });
        pending.Delete();
        return (pending.Keys.Public, generation);
    }

    /// <summary>
    /// This peer as the server lists it. After a silence the device alternates between the new and the old key: when
    /// an earlier answer was lost after the server switched, only the new key reaches it.
    /// </summary>
    private async Task<Model.Peer> OwnPeerAsync(
        string name, InterfaceConfig config, KeyPair current, KeyPair next, IPAddress ownIp, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var api = _api(config);
                var state = await api.GetStateAsync(cancellationToken).ConfigureAwait(false);
                return state.Peers.FirstOrDefault(p => p.Ip.Equals(ownIp))
                    ?? throw new InnernetException($"The server's state does not list this peer ({ownIp}).");
            }
            catch (ApiTransportException e) when (attempt < Attempts)
            {
                _log.Warning($"attempt {attempt} of {Attempts} got no answer: {e.Message}");
                var deviceKey = attempt % 2 == 1 ? next.Private : current.Private;
                _layer.WireGuard.ConfigureDevice(name, new DeviceConfig { PrivateKey = deviceKey });
                await _delay(InvitationInstaller.FetchRetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void RestoreDevice(string name, WireGuardKey privateKey)
        => _layer.WireGuard.ConfigureDevice(name, new DeviceConfig { PrivateKey = privateKey });
}
