using System.Net;
using Innernet.Cli;
using Innernet.Core.Model;
using Innernet.Netlink.Route;
using Innernet.Server.Api.Metrics;

using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Server.Cli;

/// <summary>Parsing and validation of the values verbs take (each returns an error message or null).</summary>
internal static class Values
{
    public const string DefaultNetworkCidr = "10.42.0.0/16";
    public const string DefaultInviteExpiry = "14d";

    public static string? HostnameError(string value)
        => Hostname.IsValid(value) ? null : $"'{value}' is not a valid name (lowercase letters, digits and inner dashes, shorter than 64)";

    public static string? NetworkNameError(string value)
        => NetworkName.IsValid(value) ? null : $"'{value}' is not a valid network name (a name as for peers, at most 15 bytes)";

    public static string? CidrError(string value) => TryParseCidr(value, out _, out string? error) ? null : error;

    public static bool TryParseCidr(string value, out IPNetwork network, out string? error)
    {
        network = default;
        int slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(value.AsSpan(0, slash), out var address) || value.Contains('%', StringComparison.Ordinal))
        {
            error = $"'{value}' is not a CIDR like 10.42.0.0/16";
            return false;
        }

        if (!IPNetwork.TryParse(value, out network))
        {
            int max = InterfaceAddress.MaxPrefix(address);
            error = $"'{value}' is not a CIDR: the prefix must be 0 to {max} and the host bits must be zero";
            return false;
        }

        error = null;
        return true;
    }

    public static IPNetwork ParseCidr(string value, string flag)
        => TryParseCidr(value, out var network, out string? error)
            ? network
            : throw new CliUserException($"{flag}: {error}", ExitCode.Usage);

    public static string? EndpointError(string value)
        => Endpoint.TryParse(value, out _) ? null : $"'{value}' is not an endpoint like 203.0.113.1:51820";

    public static Endpoint ParseEndpoint(string value, string flag)
        => Endpoint.TryParse(value, out var endpoint)
            ? endpoint
            : throw new CliUserException($"{flag}: {EndpointError(value)}", ExitCode.Usage);

    public static string? PortError(string value)
        => ushort.TryParse(
                value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ushort port)
            && port != 0
            ? null
            : $"'{value}' is not a port (1 to 65535)";

    public static string? TimestringError(string value)
        => Timestring.TryParse(value, out _, out string? error) ? null : error;

    public static TimeSpan ParseTimestring(string value, string flag)
        => Timestring.TryParse(value, out var span, out string? error)
            ? span
            : throw new CliUserException($"{flag}: {error}", ExitCode.Usage);

    /// <summary>The metrics listener's endpoint: an address with a port that <see cref="MetricsEndpoints.Refusal"/> accepts.</summary>
    public static IPEndPoint ParseMetricsListen(string value, string flag)
    {
        if (!IPEndPoint.TryParse(value, out var endpoint) || endpoint.Port == 0 || value.Contains('%', StringComparison.Ordinal))
        {
            throw new CliUserException($"{flag}: '{value}' is not an address with a port, like 127.0.0.1:9586", ExitCode.Usage);
        }

        return MetricsEndpoints.Refusal(endpoint, []) is { } refusal
            ? throw new CliUserException($"{flag}: {refusal}", ExitCode.Usage)
            : endpoint;
    }

    public static string? IpError(string value)
        => IPAddress.TryParse(value, out _) && !value.Contains('%', StringComparison.Ordinal) ? null : $"'{value}' is not an IP address";
}
