using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Api;
using Innernet.Core.Config;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Fetch;

/// <summary>
/// innernet's <c>install</c> (its client side): bring the tunnel up with the invitation's temporary key,
/// generate the permanent key pair locally and keep it on disk (<see cref="PendingRedeemKey"/>) before
/// <c>POST /v1/user/redeem</c> sends its public key (retried when no answer arrives), write the config
/// (create-new, 0600), remove the pending key, switch the device to the new key, wait the 5 s transition, then
/// fetch with bring-up up to 3 times, 1 s apart. A failed redemption tears the interface down and leaves no config
/// behind; unless the server refused the key, the pending key stays, and running the same install again finishes it.
/// </summary>
public sealed class InvitationInstaller
{
    /// <summary>How long both sides wait around the key swap (REDEEM_TRANSITION_WAIT).</summary>
    public static readonly TimeSpan TransitionWait = TimeSpan.FromSeconds(5);

    /// <summary>Redeem requests before giving up when no answer arrives.</summary>
    public const int RedeemAttempts = 3;

    /// <summary>Fetch attempts after redemption.</summary>
    public const int FetchAttempts = 3;

    /// <summary>Pause between fetch attempts.</summary>
    public static readonly TimeSpan FetchRetryDelay = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan ProgressTick = TimeSpan.FromSeconds(1);

    private readonly IInterfaceLayer _layer;
    private readonly IClientLog _log;
    private readonly Func<InterfaceConfig, InnernetApiClient> _api;
    private readonly InterfaceFetcher _fetcher;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    /// <param name="layer">The device layer.</param>
    /// <param name="fetcher">Runs the fetches after redemption (same layer).</param>
    /// <param name="log">Progress output.</param>
    /// <param name="apiFactory">Creates the API client (default <see cref="ApiClientFactory.Default"/>).</param>
    /// <param name="delay">Sleeps (transition wait, retries); default real delays.</param>
    public InvitationInstaller(
        IInterfaceLayer layer,
        InterfaceFetcher fetcher,
        IClientLog? log = null,
        Func<InterfaceConfig, InnernetApiClient>? apiFactory = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(fetcher);
        _layer = layer;
        _fetcher = fetcher;
        _log = log ?? NullClientLog.Instance;
        _api = apiFactory ?? ApiClientFactory.Default;
        _delay = delay ?? Task.Delay;
    }

    /// <summary>Redeems the invitation and installs the network.</summary>
    /// <param name="request">What to install.</param>
    /// <param name="transitionProgress">Called with (elapsed, total) during the 5 s key transition.</param>
    /// <param name="cancellationToken">Stops the installation (after redemption the config stays).</param>
    /// <exception cref="InnernetException">
    /// The invitation is invalid, the network is already installed or its interface exists, or the redemption failed
    /// (the interface is then down again and no config was written).
    /// </exception>
    public async Task<InstallResult> InstallAsync(
        InstallRequest request,
        Action<TimeSpan, TimeSpan>? transitionProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        string name = request.InterfaceName;
        if (!NetworkName.IsValid(name))
        {
            throw new ValidationException(
                $"'{name}' is not a valid interface name (lowercase letters, digits and inner dashes, at most 15 bytes).");
        }

        if (!File.Exists(request.InvitationPath))
        {
            throw new NotFoundException($"The invitation file '{request.InvitationPath}' does not exist.");
        }

        var loaded = InterfaceConfig.LoadInvitation(request.InvitationPath);
        var invitation = loaded.Config;
        string configPath = ClientPaths.ConfigFile(request.ConfigDirectory, name);
        if (File.Exists(configPath))
        {
            throw new InnernetException(
                $"An interface config for '{name}' already exists ('{configPath}'). Choose another name, or uninstall it first.");
        }

        if (_layer.WireGuard.GetDevice(name) is not null)
        {
            throw new InnernetException($"A WireGuard interface named '{name}' already exists. Choose another name.");
        }

        var temporaryKey = invitation.Interface.PrivateKey;
        var pending = PendingRedeemKey.LoadOrCreate(
            PendingRedeemKey.PathFor(request.ConfigDirectory, name), WireGuardKeys.GetPublicKey(temporaryKey));
        if (pending.Resumed)
        {
            _log.Info($"resuming an earlier installation: redeeming the key it kept in '{pending.FilePath}'");
        }

        _log.Info($"bringing up interface {name} with the invitation's temporary key");
        _layer.BringUp(_fetcher.UpRequest(name, invitation, temporaryKey, null, request.Network));

        var keys = pending.Keys;
        try
        {
            await RedeemAsync(name, invitation, keys, cancellationToken).ConfigureAwait(false);
            var config = invitation with { Interface = invitation.Interface with { PrivateKey = keys.Private, ListenPort = null } };
            ConfigFile.Write(configPath, config.ToToml(), createNew: true);
        }
        catch (Exception e) when (e is InnernetException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            _log.Warning("failed to update the key pair (is the innernet server reachable?)");
            TryBringDown(name);
            if (e is ApiStatusException { StatusCode: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError })
            {
                // A definite refusal: the server did not take this key, and never will for this invitation.
                pending.Delete();
            }
            else
            {
                _log.Warning($"the new key is kept in '{pending.FilePath}'; run the same install again to finish it");
            }

            throw;
        }

        pending.Delete();
        _layer.WireGuard.ConfigureDevice(name, new DeviceConfig { PrivateKey = keys.Private });
        _log.Info($"new key pair registered; waiting {TransitionWait.TotalSeconds:0} s for the server to switch keys");
        for (var elapsed = TimeSpan.Zero; elapsed < TransitionWait; elapsed += ProgressTick)
        {
            transitionProgress?.Invoke(elapsed, TransitionWait);
            await _delay(ProgressTick, cancellationToken).ConfigureAwait(false);
        }

        transitionProgress?.Invoke(TransitionWait, TransitionWait);

        var fetchRequest = new FetchRequest
        {
            InterfaceName = name,
            ConfigDirectory = request.ConfigDirectory,
            DataDirectory = request.DataDirectory,
            Network = request.Network,
            Hosts = request.Hosts,
            Nat = request.Nat,
            BringUp = true,
        };
        for (int attempt = 1; attempt <= FetchAttempts; attempt++)
        {
            try
            {
                var result = await _fetcher.FetchAsync(fetchRequest, cancellationToken).ConfigureAwait(false);
                return new InstallResult(name, configPath, result);
            }
            catch (InnernetException e) when (attempt < FetchAttempts)
            {
                _log.Warning($"fetch attempt {attempt} of {FetchAttempts} failed: {e.Message}");
                await _delay(FetchRetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (InnernetException e)
            {
                _log.Warning($"fetch attempt {attempt} of {FetchAttempts} failed: {e.Message}");
            }
        }

        _log.Warning($"the network is installed, but fetching its peers failed; run 'innernet up {name}' to retry");
        return new InstallResult(name, configPath, null);
    }

    /// <summary>
    /// <c>POST /v1/user/redeem</c>, retried when the answer does not arrive: the server may have committed the
    /// redeem and swapped its WireGuard peer to the new key 5 s later, so the retries alternate the device between
    /// the temporary and the new key (a repeated redeem with the same key is a success).
    /// </summary>
    private async Task RedeemAsync(string name, InterfaceConfig invitation, KeyPair keys, CancellationToken cancellationToken)
    {
        _log.Info("registering the new key pair with the server");
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var api = _api(invitation);
                await api.RedeemAsync(keys.Public, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ApiTransportException e) when (attempt < RedeemAttempts)
            {
                _log.Warning($"redeem attempt {attempt} of {RedeemAttempts} got no answer: {e.Message}");
                var deviceKey = attempt % 2 == 1 ? keys.Private : invitation.Interface.PrivateKey;
                _layer.WireGuard.ConfigureDevice(name, new DeviceConfig { PrivateKey = deviceKey });
                await _delay(FetchRetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void TryBringDown(string name)
    {
        try
        {
            _layer.BringDown(name);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            _log.Warning($"could not bring interface {name} down: {e.Message}");
        }
    }
}
