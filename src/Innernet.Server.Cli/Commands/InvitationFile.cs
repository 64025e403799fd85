using Innernet.Cli;
using Innernet.Core.Cidrs;
using Innernet.Core.Config;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary>
/// Invitation files: 0600, written atomically with create-new semantics. Callers check
/// <see cref="EnsureAbsent"/> BEFORE the peer row exists, so an existing file costs nothing (innernet #90).
/// </summary>
internal static class InvitationFile
{
    public static string DefaultPath(string peerName) => peerName + ".toml";

    public static string? PathError(string path)
        => string.IsNullOrWhiteSpace(path) ? "the path is empty"
            : File.Exists(path) || Directory.Exists(path) ? $"'{path}' already exists"
            : null;

    public static void EnsureAbsent(string path)
    {
        if (PathError(path) is { } error)
        {
            throw new CliUserException($"--save-config: {error}; refusing to overwrite it (nothing was changed)");
        }
    }

    public static void Write(
        string path, string networkName, IReadOnlyList<Cidr> cidrs, Peer peer, WireGuardKey temporaryPrivateKey, ServerInfo server)
    {
        var invitation = InterfaceConfig.CreateInvitation(networkName, peer.Ip, new CidrTree(cidrs), temporaryPrivateKey, server);
        invitation.SaveInvitation(path);
    }
}
