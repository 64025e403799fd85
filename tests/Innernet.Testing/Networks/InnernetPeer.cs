using System.Net;
using System.Text.RegularExpressions;

namespace Innernet.Testing.Networks;

/// <summary>
/// One client machine of an <see cref="InnernetNetwork"/>: its own namespace, interface name (unique machine-wide),
/// config/data directories and the invitation it was given. <see cref="Invitation"/> keeps the invitation's text
/// after <c>inn install -d</c> deleted the file (the key-swap scenario reuses its temporary key).
/// </summary>
public sealed partial class InnernetPeer
{
    internal InnernetPeer(string name, string ns, string interfaceName, string directory, string invitationPath, IPAddress underlay)
    {
        Name = name;
        Namespace = ns;
        InterfaceName = interfaceName;
        ConfigDirectory = Path.Combine(directory, "etc");
        DataDirectory = Path.Combine(directory, "lib");
        InvitationPath = invitationPath;
        Underlay = underlay;
        Invitation = File.ReadAllText(invitationPath);
        var address = AddressLine().Match(Invitation);
        if (!address.Success)
        {
            throw new InvalidDataException($"invitation {invitationPath} has no 'address = \"ip/prefix\"' line");
        }

        Ip = IPAddress.Parse(address.Groups[1].Value);
    }

    public string Name { get; }

    public string Namespace { get; }

    public string InterfaceName { get; }

    public string ConfigDirectory { get; }

    public string DataDirectory { get; }

    public string InvitationPath { get; }

    /// <summary>The invitation file's text as the inviter wrote it (holds the temporary private key; never logged).</summary>
    public string Invitation { get; }

    /// <summary>The peer's overlay address (from the invitation).</summary>
    public IPAddress Ip { get; }

    /// <summary>The peer's underlay address (on the bridge, or on its NAT's LAN).</summary>
    public IPAddress Underlay { get; }

    /// <summary>The invitation's temporary private key (base64), replaced at redemption.</summary>
    public string InvitationPrivateKey => PrivateKeyLine().Match(Invitation) is { Success: true } m
        ? m.Groups[1].Value
        : throw new InvalidDataException($"invitation of {Name} has no private-key line");

    /// <summary>The server's public key (base64) as the invitation names it.</summary>
    public string ServerPublicKey => PublicKeyLine().Match(Invitation) is { Success: true } m
        ? m.Groups[1].Value
        : throw new InvalidDataException($"invitation of {Name} has no public-key line");

    public override string ToString() => $"{Name} ({Ip}, {Namespace}, {InterfaceName})";

    [GeneratedRegex("""^\s*address\s*=\s*"([^"/]+)/\d+"\s*$""", RegexOptions.Multiline)]
    private static partial Regex AddressLine();

    [GeneratedRegex("""^\s*private-key\s*=\s*"([^"]+)"\s*$""", RegexOptions.Multiline)]
    private static partial Regex PrivateKeyLine();

    [GeneratedRegex("""^\s*public-key\s*=\s*"([^"]+)"\s*$""", RegexOptions.Multiline)]
    private static partial Regex PublicKeyLine();
}
