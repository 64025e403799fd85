namespace Innernet.Server.Cli;

/// <summary>The process exit codes of <c>innernet-server</c>.</summary>
internal enum ExitCode
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary>The operation failed.</summary>
    Failure = 1,

    /// <summary>Bad command line: unknown option, missing value without a terminal, conflicting flags.</summary>
    Usage = 2,

    /// <summary>Not root, or EPERM/EACCES.</summary>
    Permission = 3,

    /// <summary>The network, peer, CIDR or file named does not exist.</summary>
    NotFound = 4,
}
