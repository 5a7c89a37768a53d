using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AccessPlatform.Tests;

/// <summary>
/// A tiny https server on 127.0.0.1 that serves an IdP metadata document the test controls (issue 16's "metadata by
/// URL"). Its self-signed certificate (SAN 127.0.0.1) is written to <see cref="CertificateFile"/> before the platform
/// starts; Sso.Api trusts it through <c>Sso:MetadataFetch:TrustedCertificateFile</c>, and reaches 127.0.0.1 only
/// because the fixture sets <c>Sso:MetadataFetch:AllowLoopback</c>, as only a test may.
/// </summary>
public sealed class TestMetadataServer : IDisposable
{
    /// <summary>Written once per test run, before any stack starts (the fixture passes the path to sso-api).</summary>
    public static readonly string CertificateFile = WriteCertificate(out ServerCertificate);

    private static readonly X509Certificate2 ServerCertificate;

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();

    /// <summary>What /metadata answers; null answers 500 (an IdP that is down).</summary>
    public volatile string? Document;

    public int Requests;

    public TestMetadataServer()
    {
        listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public Uri MetadataUrl => new($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/metadata");

    /// <summary>An IdP EntityDescriptor with these signing certificates (PEM) and SSO URL.</summary>
    public static string MetadataOf(string entityId, string ssoUrl, params string[] certificatePems)
    {
        var keys = string.Concat(certificatePems.Select(pem =>
            $"<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{Convert.ToBase64String(X509Certificate2.CreateFromPem(pem).RawData)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"));
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entityId}">
              <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}
                <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{System.Security.SecurityElement.Escape(ssoUrl)}"/>
              </md:IDPSSODescriptor>
            </md:EntityDescriptor>
            """;
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(ServerCertificate);
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await tls.ReadAsync(buffer);
                    if (read == 0)
                    {
                        return;
                    }
                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }
                Interlocked.Increment(ref Requests);
                var path = head.ToString().Split(' ')[1];
                var document = Document;
                var (status, body) = path == "/metadata" && document is not null ? ("200 OK", document) : ("500 Internal Server Error", "down");
                var bytes = Encoding.UTF8.GetBytes(body);
                await tls.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {status}\r\nContent-Type: application/samlmetadata+xml\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"));
                await tls.WriteAsync(bytes);
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or SocketException)
            {
                // A client that gave up; the next request gets a fresh connection.
            }
        }
    }

    private static string WriteCertificate(out X509Certificate2 certificate)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Access Platform test metadata server", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        // Through PKCS#12 so SslStream on Linux gets a usable private key.
        certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        var file = Path.Combine(Path.GetTempPath(), $"ap-metadata-server-{Environment.ProcessId}.pem");
        File.WriteAllText(file, created.ExportCertificatePem());
        return file;
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }
}
