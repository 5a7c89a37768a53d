using System.Net;

namespace AccessPlatform.Sso.Metadata;

/// <summary>Name resolution for metadata fetches; a seam so the SSRF rules are tested with any answer DNS could give.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}
