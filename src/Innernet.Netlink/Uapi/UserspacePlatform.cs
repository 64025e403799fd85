namespace Innernet.Netlink.Uapi;

/// <summary>How userspace WireGuard devices are named and started on the host OS.</summary>
internal enum UserspacePlatform
{
    /// <summary>
    /// Linux: the implementation is started as <c>&lt;impl&gt; &lt;iface&gt;</c> and its socket is
    /// <c>&lt;iface&gt;.sock</c>.
    /// </summary>
    Linux = 0,

    /// <summary>
    /// macOS: only <c>utunN</c> names exist. The implementation is started as <c>&lt;impl&gt; utun</c>
    /// with <c>WG_TUN_NAME_FILE=&lt;dir&gt;/&lt;iface&gt;.name</c>; it writes the real name there and
    /// binds <c>&lt;real&gt;.sock</c> (the wg-quick darwin convention).
    /// </summary>
    MacOS = 1,
}
