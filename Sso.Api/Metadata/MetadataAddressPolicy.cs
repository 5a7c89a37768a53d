using System.Net;
using System.Net.Sockets;

namespace AccessPlatform.Sso.Metadata;

/// <summary>
/// Which addresses a metadata fetch may connect to: public unicast only (SSRF, ASVS 12.6.1 / OWASP SSRF prevention).
/// Refused: loopback, link-local (cloud metadata at 169.254.169.254), RFC 1918 and unique-local private ranges, CGNAT,
/// multicast, broadcast, unspecified and the reserved or documentation blocks, and IPv4-mapped or -translated IPv6
/// forms of all of them. Loopback only with <see cref="MetadataFetchOptions.AllowLoopback"/> (tests).
/// </summary>
public static class MetadataAddressPolicy
{
    private static readonly (IPAddress Network, int Prefix)[] RefusedV4 =
    [
        (IPAddress.Parse("0.0.0.0"), 8),        // "this network", unspecified
        (IPAddress.Parse("10.0.0.0"), 8),       // private
        (IPAddress.Parse("100.64.0.0"), 10),    // CGNAT
        (IPAddress.Parse("169.254.0.0"), 16),   // link-local, cloud metadata
        (IPAddress.Parse("172.16.0.0"), 12),    // private
        (IPAddress.Parse("192.0.0.0"), 24),     // IETF protocol assignments
        (IPAddress.Parse("192.0.2.0"), 24),     // documentation
        (IPAddress.Parse("192.88.99.0"), 24),   // 6to4 relay anycast (deprecated)
        (IPAddress.Parse("192.168.0.0"), 16),   // private
        (IPAddress.Parse("198.18.0.0"), 15),    // benchmarking
        (IPAddress.Parse("198.51.100.0"), 24),  // documentation
        (IPAddress.Parse("203.0.113.0"), 24),   // documentation
        (IPAddress.Parse("224.0.0.0"), 4),      // multicast
        (IPAddress.Parse("240.0.0.0"), 4),      // reserved, broadcast
    ];

    private static readonly (IPAddress Network, int Prefix)[] RefusedV6 =
    [
        (IPAddress.Parse("::"), 128),           // unspecified
        (IPAddress.Parse("64:ff9b:1::"), 48),   // local-use IPv4/IPv6 translation
        (IPAddress.Parse("100::"), 64),         // discard-only
        (IPAddress.Parse("2001:db8::"), 32),    // documentation
        (IPAddress.Parse("fc00::"), 7),         // unique local
        (IPAddress.Parse("fe80::"), 10),        // link-local
        (IPAddress.Parse("fec0::"), 10),        // site-local (deprecated)
        (IPAddress.Parse("ff00::"), 8),         // multicast
    ];

    private static readonly IPAddress Nat64 = IPAddress.Parse("64:ff9b::");

    /// <summary>Whether a connection to <paramref name="address"/> is allowed.</summary>
    public static bool IsAllowed(IPAddress address, bool allowLoopback)
    {
        // ::ffff:a.b.c.d and 64:ff9b::a.b.c.d reach the IPv4 address behind them: judge that one.
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6 && InNetwork(address, Nat64, 96))
        {
            address = new IPAddress(address.GetAddressBytes()[12..]);
        }
        if (IPAddress.IsLoopback(address))
        {
            return allowLoopback;
        }
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => !RefusedV4.Any(n => InNetwork(address, n.Network, n.Prefix)),
            // Deprecated IPv4-compatible ::a.b.c.d (and ::1, handled above) sit in ::/96.
            AddressFamily.InterNetworkV6 => !RefusedV6.Any(n => InNetwork(address, n.Network, n.Prefix))
                && !InNetwork(address, IPAddress.IPv6Any, 96),
            _ => false,
        };
    }

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix) =>
        address.AddressFamily == network.AddressFamily && new IPNetwork(network, prefix).Contains(address);
}
