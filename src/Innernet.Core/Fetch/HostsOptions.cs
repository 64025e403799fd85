namespace Innernet.Core.Fetch;

/// <summary>innernet's <c>HostsOpts</c>: where (and whether) to write the peers' names.</summary>
public sealed record HostsOptions
{
    /// <summary>The default hosts file.</summary>
    public const string DefaultPath = "/etc/hosts";

    /// <summary>The hosts file to maintain (<c>--hosts-path</c>).</summary>
    public string Path { get; init; } = DefaultPath;

    /// <summary>False with <c>--no-write-hosts</c>.</summary>
    public bool Write { get; init; } = true;

    /// <summary>
    /// <c>--host-suffix</c>: null gives <c>&lt;peer&gt;.&lt;iface&gt;.wg</c>, "" the bare peer name, otherwise
    /// <c>&lt;peer&gt;.&lt;suffix&gt;</c>.
    /// </summary>
    public string? Suffix { get; init; }
}
