using System.Net;
using System.Net.Sockets;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which per-client budget a request spends: the client's IPv4 address, or its IPv6 network. One household or
/// server gets a whole /64 from its provider and can pick any address in it, so counting per /128 would give it
/// 2^64 budgets. The gateway's rate limits and Login.Api's failure budget both key on this.
/// </summary>
public static class ClientPartition
{
    public const int DefaultIpv6Prefix = 64;

    /// <summary><c>203.0.113.7</c> stays itself; <c>2001:db8:1:2:a:b:c:d</c> becomes <c>2001:db8:1:2::/64</c>.</summary>
    public static string Of(IPAddress? address, int ipv6Prefix = DefaultIpv6Prefix)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var prefix = Math.Clamp(ipv6Prefix, 0, 128);
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < 128; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return $"{new IPAddress(bytes)}/{prefix}";
    }

    /// <summary>The same for an address as text (as stored in a login's context); unparsable text is its own partition.</summary>
    public static string Of(string? address, int ipv6Prefix = DefaultIpv6Prefix) =>
        address is null ? "unknown" : IPAddress.TryParse(address, out var parsed) ? Of(parsed, ipv6Prefix) : address;
}
