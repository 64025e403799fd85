namespace Innernet.Fuzz;

/// <summary>Tokens of each input language for the mutator.</summary>
internal static class Dictionaries
{
    public static readonly string[] Uapi =
    [
        "private_key=", "listen_port=", "fwmark=", "public_key=", "preshared_key=", "endpoint=", "protocol_version=",
        "last_handshake_time_sec=", "last_handshake_time_nsec=", "tx_bytes=", "rx_bytes=", "persistent_keepalive_interval=",
        "allowed_ip=", "errno=", "errno=0\n\n", "errno=-1\n\n", "replace_peers=true", "remove=true", "\n", "=", "\n\n",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "[::1]:", "[fe80::1%eth0]:1", "127.0.0.1:", "/32", "/128", "/0", "/33", "/129", "::ffff:1.2.3.4", "999999999",
    ];

    public static readonly string[] Toml =
    [
        "[interface]", "[server]", "[peer-endpoint-overrides]", "network-name", "address", "private-key", "listen-port",
        "public-key", "external-endpoint", "internal-endpoint", "network-cidr-prefix", " = ", "=", "\"", "'", "'''", "\"\"\"",
        "[[", "]]", "[", "]", "{", "}", "{}", "[]", ",", ".", "#", "\n", "\r\n", "true", "false", "1979-05-27T07:32:00Z",
        "07:32:00", "inf", "-inf", "nan", "0x7f", "0o17", "0b101", "1e999", "\\u0000", "\\U0010FFFF", "\\uD800", "\\",
        "10.66.0.1:51820", "[fd00::1]:51820", "10.66.1.1/16", "fd00::1/64", "%eth0", "xn--", "a.b.c",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "//////////////////////////////////////////8=",
    ];

    public static readonly string[] Json =
    [
        "{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "0", "-0", "-1", "1e400", "1.0", "\"\\u0000\"",
        "\"\\ud800\"", "\\", "\"name\"", "\"ip\"", "\"cidr_id\"", "\"public_key\"", "\"endpoint\"",
        "\"persistent_keepalive_interval\"", "\"is_admin\"", "\"is_disabled\"", "\"is_redeemed\"", "\"invite_expires\"",
        "\"candidates\"", "\"secs_since_epoch\"", "\"nanos_since_epoch\"", "\"cidr\"", "\"parent\"", "\"cidr_id_1\"",
        "\"cidr_id_2\"", "\"option\"", "\"content\"", "\"Set\"", "\"Unset\"", "\"version\"", "\"peers\"", "\"cidrs\"", "\"id\"",
        "\"0.0.0.0\"", "\"::\"", "\"[::]:0\"", "\"0.0.0.0:0\"", "\"255.255.255.255/32\"", "\"::/0\"", "\"10.66.0.0/16\"",
        "\"fd00::/8\"", "\"xn--nxasmq6b.example:1\"", "\"bücher.example:1\"", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"",
        "{\"secs_since_epoch\":253402300799,\"nanos_since_epoch\":999999999}", "/* */", "//",
    ];

    /// <summary>Replica endpoint lists: the header's commas, the file's line ends, endpoints of each kind.</summary>
    public static readonly string[] Replicas =
    [
        ",", ", ", "\n", "\r\n", ":", ":51820", ":0", ":65536", "[", "]", "[fd00::1]:51820", "0.0.0.0:51820", "[::]:51820",
        "198.18.0.1:51820", "198.18.0.250:51820", "example.com:51820", "xn--bcher-kva.example:1", " ", "\t", "\u00e9",
    ];

    public static readonly string[] Hosts =
    [
        "# DO NOT EDIT innernet evilcorp BEGIN", "# DO NOT EDIT innernet evilcorp END", "# DO NOT EDIT innernet fxnet BEGIN",
        "# DO NOT EDIT innernet fxnet END", "# DO NOT EDIT innernet other BEGIN", "# DO NOT EDIT innernet other END",
        "\n", "\r\n", "\r", "\t", " ", "#", "127.0.0.1 localhost", "::1 localhost", "\u0085", "\u2028", "\ufeff",
    ];
}
