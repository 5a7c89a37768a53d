using System.Diagnostics.Metrics;
using System.Net;
using AccessPlatform.Sso.Metadata;
using Microsoft.Extensions.Options;

namespace Sso.Api.Tests.Metadata;

/// <summary>
/// The production rule of metadata fetches (SSRF, ASVS 12.6.1 / 1.3.6): no connection to loopback, link-local,
/// private, CGNAT, multicast, unspecified or IPv4-mapped private addresses; every resolved address checked; the
/// connection goes to the vetted address, so a second DNS answer (rebinding) is never used.
/// </summary>
public sealed class MetadataFetchSsrfTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.5.4")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a00:1")]
    public void Internal_addresses_are_refused_in_production(string address) =>
        Assert.False(MetadataAddressPolicy.IsAllowed(IPAddress.Parse(address), allowLoopback: false));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("20.190.128.1")]
    [InlineData("2606:4700::6810:85e5")]
    [InlineData("::ffff:93.184.216.34")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(MetadataAddressPolicy.IsAllowed(IPAddress.Parse(address), allowLoopback: false));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    public void The_test_switch_allows_loopback_and_nothing_else(string address, bool allowed) =>
        Assert.Equal(allowed, MetadataAddressPolicy.IsAllowed(IPAddress.Parse(address), allowLoopback: true));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("::ffff:10.0.0.1")]
    public async Task A_name_resolving_to_an_internal_address_is_refused_before_any_connection(string address)
    {
        var resolver = new ScriptedResolver([IPAddress.Parse(address)]);
        var connects = new List<IPEndPoint>();

        var refused = await Assert.ThrowsAsync<MetadataFetchException>(() => IdpMetadataFetcher.ConnectVettedAsync(
            new DnsEndPoint("idp.example.com", 443), resolver, allowLoopback: false, Recording(connects), CancellationToken.None).AsTask());

        Assert.Equal(MetadataFetchFailure.ForbiddenAddress, refused.Reason);
        Assert.Empty(connects);
    }

    [Fact]
    public async Task One_internal_address_among_public_ones_refuses_the_host()
    {
        var resolver = new ScriptedResolver([IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.1.2.3")]);
        var connects = new List<IPEndPoint>();

        var refused = await Assert.ThrowsAsync<MetadataFetchException>(() => IdpMetadataFetcher.ConnectVettedAsync(
            new DnsEndPoint("idp.example.com", 443), resolver, false, Recording(connects), CancellationToken.None).AsTask());

        Assert.Equal(MetadataFetchFailure.ForbiddenAddress, refused.Reason);
        Assert.Empty(connects);
    }

    [Fact]
    public async Task Dns_rebinding_cannot_swap_the_vetted_address()
    {
        // First answer public, every later one internal: the connection must use the first, vetted answer.
        var resolver = new ScriptedResolver([IPAddress.Parse("93.184.216.34")], [IPAddress.Parse("127.0.0.1")]);
        var connects = new List<IPEndPoint>();

        await using var stream = await IdpMetadataFetcher.ConnectVettedAsync(
            new DnsEndPoint("rebind.example.com", 443), resolver, false, Recording(connects), CancellationToken.None);

        Assert.Equal(1, resolver.Calls);
        Assert.Equal([new IPEndPoint(IPAddress.Parse("93.184.216.34"), 443)], connects);
        // The next connection resolves again and is refused: rebinding gains nothing.
        await Assert.ThrowsAsync<MetadataFetchException>(() => IdpMetadataFetcher.ConnectVettedAsync(
            new DnsEndPoint("rebind.example.com", 443), resolver, false, Recording(connects), CancellationToken.None).AsTask());
        Assert.Single(connects);
    }

    [Theory]
    [InlineData("https://127.0.0.1/metadata")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://[::1]/metadata")]
    [InlineData("https://[::ffff:10.0.0.1]/metadata")]
    [InlineData("https://10.0.0.1/metadata")]
    public async Task The_fetcher_refuses_internal_address_literals_in_production(string url)
    {
        using var fetcher = new IdpMetadataFetcher(Options.Create(new MetadataFetchOptions()), new ScriptedResolver([IPAddress.Parse("93.184.216.34")]),
            new TestMeterFactory(), Recording([]));

        var refused = await Assert.ThrowsAsync<MetadataFetchException>(() => fetcher.FetchAsync(new Uri(url), CancellationToken.None));

        Assert.Equal(MetadataFetchFailure.ForbiddenAddress, refused.Reason);
    }

    [Theory]
    [InlineData("http://idp.example.com/metadata", false)]
    [InlineData("https://user:pw@idp.example.com/metadata", false)]
    [InlineData("https://idp.example.com/metadata#x", false)]
    [InlineData("file:///etc/passwd", false)]
    [InlineData("ftp://idp.example.com/m", false)]
    [InlineData("https://idp.example.com/federationmetadata/2007-06/federationmetadata.xml", true)]
    public void Only_plain_https_urls_are_taken(string url, bool ok) =>
        Assert.Equal(ok, IdpMetadataFetcher.IsAcceptableUrl(url, out _));

    [Theory]
    [InlineData("Production", true, null, false)]
    [InlineData("Production", false, "/tmp/test.pem", false)]
    [InlineData("Staging", true, null, false)]
    [InlineData("Production", false, null, true)]
    [InlineData("Development", true, "/tmp/test.pem", true)]
    public void The_test_switches_are_refused_at_start_outside_development(string environment, bool allowLoopback, string? trusted, bool allowed) =>
        Assert.Equal(allowed, MetadataFetchOptions.IsAllowedIn(new MetadataFetchOptions { AllowLoopback = allowLoopback, TrustedCertificateFile = trusted }, environment));

    private static Func<IPEndPoint, CancellationToken, ValueTask<Stream>> Recording(List<IPEndPoint> connects) => (endPoint, _) =>
    {
        connects.Add(endPoint);
        return ValueTask.FromResult<Stream>(new MemoryStream());
    };

    private sealed class ScriptedResolver(params IPAddress[][] answers) : IHostResolver
    {
        public int Calls { get; private set; }

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            Task.FromResult(answers[Math.Min(Calls++, answers.Length - 1)]);
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
