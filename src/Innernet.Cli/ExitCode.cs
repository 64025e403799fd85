namespace Innernet.Cli;

/// <summary>The process exit codes of <c>innernet-server</c> and <c>inn</c>/<c>innernet</c>.</summary>
internal enum ExitCode
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary>The operation failed (server error, unreachable server without cache, pin violation…).</summary>
    Failure = 1,

    /// <summary>Bad command line: unknown option, missing value without a terminal, conflicting flags.</summary>
    Usage = 2,

    /// <summary>Not root where root is required, or EPERM/EACCES: no CAP_NET_ADMIN or no access to the config/data directories.</summary>
    Permission = 3,

    /// <summary>The network, peer, CIDR or file named does not exist.</summary>
    NotFound = 4,
}
