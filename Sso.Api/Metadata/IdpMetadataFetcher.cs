using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AccessPlatform.Sso.Telemetry;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Sso.Metadata;

/// <summary>
/// Fetches an IdP metadata document over https without becoming an SSRF proxy: the host is resolved here, EVERY
/// address it resolves to must pass <see cref="MetadataAddressPolicy"/>, and the socket connects to the vetted
/// address itself (SocketsHttpHandler.ConnectCallback), so a second DNS answer (rebinding) is never used. No proxy,
/// no automatic decompression, redirects only to https on the same host, a time limit for the whole fetch and a size cap.
/// </summary>
public sealed class IdpMetadataFetcher : IDisposable
{
    private readonly HttpClient http;
    private readonly IOptions<MetadataFetchOptions> options;
    private readonly Counter<long> fetches;
    private readonly Counter<long> failures;

    public IdpMetadataFetcher(IOptions<MetadataFetchOptions> options, IHostResolver resolver, IMeterFactory meters)
        : this(options, resolver, meters, ConnectTcpAsync)
    {
    }

    /// <param name="connect">Opens the TCP stream to an already vetted address (tests replace it).</param>
    public IdpMetadataFetcher(IOptions<MetadataFetchOptions> options, IHostResolver resolver, IMeterFactory meters,
        Func<IPEndPoint, CancellationToken, ValueTask<Stream>> connect)
    {
        this.options = options;
        var meter = meters.Create(CertificateExpiryMonitor.MeterName);
        fetches = meter.CreateCounter<long>("sso.metadata.fetches", description: "IdP metadata fetches by URL, by outcome (ok, failed)");
        failures = meter.CreateCounter<long>("sso.metadata.fetch_failures", description: "Failed IdP metadata fetches, by reason");
        var o = options.Value;
        var trusted = LoadTrusted(o.TrustedCertificateFile);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = 16,
            // Every fetch resolves and vets again: a pooled connection would outlive the address check.
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.FromSeconds(o.TimeoutSeconds),
            ConnectCallback = (context, cancellationToken) =>
                ConnectVettedAsync(context.DnsEndPoint, resolver, options.Value.AllowLoopback, connect, cancellationToken),
        };
        if (trusted is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && IsTrustedTestCertificate(certificate, trusted, errors));
        }
        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("AccessPlatform-Sso/1.0");
        http.DefaultRequestHeaders.Accept.ParseAdd("application/samlmetadata+xml, application/xml, text/xml;q=0.9");
    }

    /// <summary>The document at <paramref name="url"/> as text.</summary>
    /// <exception cref="MetadataFetchException">Any failure, with its reason code.</exception>
    public async Task<string> FetchAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            var document = await FetchCoreAsync(url, cancellationToken);
            fetches.Add(1, new KeyValuePair<string, object?>("outcome", "ok"));
            return document;
        }
        catch (MetadataFetchException e)
        {
            fetches.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            failures.Add(1, new KeyValuePair<string, object?>("reason", e.Reason));
            throw;
        }
    }

    /// <summary>Counts a document that was fetched but is not usable metadata (the reader decides that).</summary>
    public void CountInvalid()
    {
        failures.Add(1, new KeyValuePair<string, object?>("reason", MetadataFetchFailure.InvalidMetadata));
    }

    /// <summary>https, absolute, no user info, no fragment, at most 2048 characters.</summary>
    public static bool IsAcceptableUrl(string? url, out Uri? uri)
    {
        uri = null;
        if (url is not { Length: > 0 and <= 2048 } || !Uri.TryCreate(url, UriKind.Absolute, out var parsed)
            || parsed.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(parsed.UserInfo) || !string.IsNullOrEmpty(parsed.Fragment)
            || url.Any(char.IsControl))
        {
            return false;
        }
        uri = parsed;
        return true;
    }

    private async Task<string> FetchCoreAsync(Uri url, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(o.TimeoutSeconds));
        var current = url;
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                    // Only to https on the same host: a redirect must not lead the fetch somewhere the URL did not name.
                    if (redirects >= o.MaxRedirects || next.Scheme != Uri.UriSchemeHttps
                        || !string.Equals(next.IdnHost, url.IdnHost, StringComparison.OrdinalIgnoreCase) || !string.IsNullOrEmpty(next.UserInfo))
                    {
                        throw new MetadataFetchException(MetadataFetchFailure.Redirect, "The metadata URL redirects to another host or too often.");
                    }
                    current = next;
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    throw new MetadataFetchException(MetadataFetchFailure.HttpStatus, $"The metadata URL answered HTTP {(int)response.StatusCode}.");
                }
                if (response.Content.Headers.ContentLength > o.MaxBytes)
                {
                    throw new MetadataFetchException(MetadataFetchFailure.TooLarge, "The metadata document is too large.");
                }
                return await ReadCappedAsync(response.Content, o.MaxBytes, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new MetadataFetchException(MetadataFetchFailure.Timeout, "The metadata URL did not answer in time.");
        }
        catch (HttpRequestException e)
        {
            throw FindFetchException(e) ?? new MetadataFetchException(MetadataFetchFailure.Unreachable, "The metadata URL could not be reached.", e);
        }
    }

    private static async Task<string> ReadCappedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new MetadataFetchException(MetadataFetchFailure.TooLarge, "The metadata document is too large.");
            }
            buffer.Write(chunk, 0, read);
        }
        // XML names its encoding; UTF-8 (or its ASCII subset) is what every IdP serves.
        return new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// Resolves once, refuses the host when ANY of its addresses is forbidden (a name that also points inside is
    /// hostile), then connects to the vetted addresses only, in order.
    /// </summary>
    public static async ValueTask<Stream> ConnectVettedAsync(DnsEndPoint endPoint, IHostResolver resolver, bool allowLoopback,
        Func<IPEndPoint, CancellationToken, ValueTask<Stream>> connect, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(endPoint.Host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await resolver.ResolveAsync(endPoint.Host, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new MetadataFetchException(MetadataFetchFailure.Unreachable, "The metadata host name does not resolve.", e);
            }
        }
        if (addresses.Length == 0 || addresses.Any(a => !MetadataAddressPolicy.IsAllowed(a, allowLoopback)))
        {
            throw new MetadataFetchException(MetadataFetchFailure.ForbiddenAddress,
                "The metadata URL points to a loopback, private, link-local or reserved address.");
        }
        Exception? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await connect(new IPEndPoint(address, endPoint.Port), cancellationToken);
            }
            catch (SocketException e)
            {
                last = e;
            }
        }
        throw new MetadataFetchException(MetadataFetchFailure.Unreachable, "The metadata URL could not be reached.", last);
    }

    private static async ValueTask<Stream> ConnectTcpAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static MetadataFetchException? FindFetchException(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is MetadataFetchException fetch)
            {
                return fetch;
            }
        }
        return null;
    }

    private static X509Certificate2? LoadTrusted(string? file) =>
        string.IsNullOrEmpty(file) ? null : X509Certificate2.CreateFromPem(File.ReadAllText(file));

    /// <summary>The one certificate the tests' server uses, for its name: only a chain problem is overlooked, never a name mismatch.</summary>
    private static bool IsTrustedTestCertificate(X509Certificate certificate, X509Certificate2 trusted, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.RemoteCertificateChainErrors
        && certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)
            .AsSpan().SequenceEqual(trusted.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));

    public void Dispose() => http.Dispose();
}
