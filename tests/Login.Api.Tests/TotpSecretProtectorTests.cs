using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using AccessPlatform.Login.SecondFactor;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OtpNet;

namespace AccessPlatform.Login.Tests;

/// <summary>Authenticator secrets at rest (ASVS: secrets that must be read back are encrypted) and the platform key ring.</summary>
public sealed class TotpSecretProtectorTests
{
    private static readonly string Secret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));

    [Fact]
    public void A_protected_secret_reads_back_and_does_not_contain_the_secret()
    {
        var protector = new TotpSecretProtector(Provider(new MemoryXmlRepository()));
        var stored = protector.Protect(Secret);
        Assert.StartsWith(TotpSecretProtector.Prefix, stored);
        Assert.DoesNotContain(Secret, stored);
        Assert.NotEqual(protector.Protect(Secret), stored); // randomized: equal secrets do not show as equal rows
        Assert.Equal(Secret, protector.Unprotect(stored));
    }

    [Fact]
    public void A_plain_secret_reads_only_until_the_migration_has_encrypted_every_row()
    {
        var protector = new TotpSecretProtector(Provider(new MemoryXmlRepository()));
        Assert.Equal(Secret, protector.Unprotect(Secret));
        protector.LegacyMigrated();
        Assert.Null(protector.Unprotect(Secret));
        Assert.Equal(Secret, protector.Unprotect(protector.Protect(Secret)));
    }

    [Fact]
    public void A_tampered_value_or_one_from_another_key_ring_or_purpose_is_refused()
    {
        var repository = new MemoryXmlRepository();
        var protector = new TotpSecretProtector(Provider(repository));
        var stored = protector.Protect(Secret);
        var flipped = stored[..^3] + (stored[^3] == 'A' ? 'B' : 'A') + stored[^2..];
        Assert.Null(protector.Unprotect(flipped));
        Assert.Null(protector.Unprotect(TotpSecretProtector.Prefix + "not-base64"));
        Assert.Null(new TotpSecretProtector(Provider(new MemoryXmlRepository())).Unprotect(stored));
        var otherPurpose = TotpSecretProtector.Prefix + Provider(repository).CreateProtector("something-else").Protect(Secret);
        Assert.Null(protector.Unprotect(otherPurpose));
        // Another replica on the same key ring reads it.
        Assert.Equal(Secret, new TotpSecretProtector(Provider(repository)).Unprotect(stored));
    }

    [Fact]
    public void Without_a_certificate_the_key_ring_holds_its_keys_as_they_are()
    {
        var repository = new MemoryXmlRepository();
        new TotpSecretProtector(Provider(repository)).Protect(Secret);
        Assert.Contains(Assert.Single(repository.GetAllElements()).Descendants(), e => e.Name.LocalName == "masterKey");
    }

    [Fact]
    public void With_a_configured_certificate_the_keys_are_encrypted_at_rest_and_only_that_certificate_reads_them()
    {
        var pfx = Path.Combine(Path.GetTempPath(), $"dp-{Guid.NewGuid():N}.pfx");
        try
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=access-platform-data-protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pfx, "test-password"));
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["DataProtection:Certificate:Path"] = pfx,
                ["DataProtection:Certificate:Password"] = "test-password",
            }).Build();
            var repository = new MemoryXmlRepository();
            var stored = new TotpSecretProtector(Provider(repository, configuration)).Protect(Secret);

            var key = Assert.Single(repository.GetAllElements());
            Assert.Contains(key.Descendants(), e => e.Name.LocalName == "EncryptedData");
            Assert.DoesNotContain(key.Descendants(), e => e.Name.LocalName == "masterKey");
            Assert.Equal(Secret, new TotpSecretProtector(Provider(repository, configuration)).Unprotect(stored));
            // A replica without the certificate cannot decrypt the key ring, so not the secret either.
            Assert.Null(new TotpSecretProtector(Provider(repository)).Unprotect(stored));
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    private static IDataProtectionProvider Provider(IXmlRepository repository, IConfiguration? configuration = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().SetApplicationName(PlatformDataProtection.ApplicationName)
            .ProtectKeysWithConfiguredCertificate(configuration ?? new ConfigurationBuilder().Build());
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = repository);
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }

    /// <summary>A key ring shared by the providers of one test, as Redis is by the replicas.</summary>
    private sealed class MemoryXmlRepository : IXmlRepository
    {
        private readonly List<XElement> elements = [];

        public IReadOnlyCollection<XElement> GetAllElements()
        {
            lock (elements)
            {
                return [.. elements.Select(e => new XElement(e))];
            }
        }

        public void StoreElement(XElement element, string friendlyName)
        {
            lock (elements)
            {
                elements.Add(new XElement(element));
            }
        }
    }
}
