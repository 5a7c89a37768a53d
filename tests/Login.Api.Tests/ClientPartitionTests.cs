using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace AccessPlatform.Login.Tests;

/// <summary>The shared "address → budget" key (ServiceDefaults) the gateway's limits and Login.Api's failure budget use.</summary>
public sealed class ClientPartitionTests
{
    [Theory]
    [InlineData("203.0.113.7", 64, "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", 64, "203.0.113.7")]
    [InlineData("2001:db8:1:2:a:b:c:d", 64, "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::ffff", 64, "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:a:b:c:d", 48, "2001:db8:1::/48")]
    [InlineData("2001:db8:1:2:a:b:c:d", 128, "2001:db8:1:2:a:b:c:d/128")]
    public void An_address_falls_into_its_ipv4_address_or_its_ipv6_network(string address, int prefix, string partition) =>
        Assert.Equal(partition, ClientPartition.Of(IPAddress.Parse(address), prefix));

    [Fact]
    public void Two_addresses_of_one_64_share_a_partition_and_the_next_64_does_not()
    {
        Assert.Equal(ClientPartition.Of("2001:db8:0:1::1"), ClientPartition.Of("2001:db8:0:1:ffff:ffff:ffff:ffff"));
        Assert.NotEqual(ClientPartition.Of("2001:db8:0:1::1"), ClientPartition.Of("2001:db8:0:2::1"));
    }

    [Fact]
    public void Trusted_proxies_accept_networks_single_addresses_and_comma_lists_and_refuse_anything_else()
    {
        var networks = TrustedNetworks.Parse(["10.0.0.0/8, 192.0.2.10", "::1"]);
        Assert.Equal(3, networks.Count);
        Assert.Contains(networks, n => n.Contains(IPAddress.Parse("10.1.2.3")));
        Assert.Contains(networks, n => n.Contains(IPAddress.Parse("192.0.2.10")) && n.PrefixLength == 32);
        Assert.DoesNotContain(networks, n => n.Contains(IPAddress.Parse("192.0.2.11")));
        Assert.False(TrustedNetworks.TryParse(["10.0.0.0/8", "gateway.internal"], out _, out var invalid));
        Assert.Equal("gateway.internal", invalid);
    }

    [Theory]
    [InlineData("/api/auth/login", "/api/auth/login")]
    [InlineData("/api/admin/users/3f2a8c1e-1111-4a2b-9c3d-0123456789ab/unlock", "/api/admin/users/{id}/unlock")]
    [InlineData("/api/auth/sessions/Zk3q9XbV0aLmN2pQr7", "/api/auth/sessions/{id}")]
    [InlineData("/login/saml/contoso/acs", "/login/saml/contoso/acs")]
    [InlineData("/api/admin/audit/42", "/api/admin/audit/{id}")]
    public void Span_names_keep_the_route_and_drop_identifiers(string path, string name) =>
        Assert.Equal(name, Extensions.RedactPath(new PathString(path)));
}
