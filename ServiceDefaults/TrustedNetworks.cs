using System.Net;
using Microsoft.AspNetCore.Builder;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A list of proxies whose <c>X-Forwarded-*</c> headers are believed: CIDR networks (<c>10.0.0.0/8</c>) or single
/// addresses (<c>192.0.2.10</c>), as array entries and/or comma-separated. Empty means nobody is trusted.
/// </summary>
public static class TrustedNetworks
{
    public static bool TryParse(IEnumerable<string>? entries, out List<IPNetwork> networks, out string? invalid)
    {
        networks = [];
        invalid = null;
        foreach (var entry in (entries ?? []).SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                networks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            }
            else
            {
                invalid = entry;
                return false;
            }
        }
        return true;
    }

    public static List<IPNetwork> Parse(IEnumerable<string>? entries) =>
        TryParse(entries, out var networks, out var invalid) ? networks
            : throw new FormatException($"'{invalid}' is neither an IP address nor a CIDR network.");

    /// <summary>Forwarded headers are taken only from <paramref name="trusted"/>; nothing else (not even loopback).</summary>
    public static void TrustOnly(this ForwardedHeadersOptions options, IEnumerable<IPNetwork> trusted)
    {
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var network in trusted)
        {
            options.KnownIPNetworks.Add(network);
        }
    }
}
