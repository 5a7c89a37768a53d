using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Where the key ring's keys are encrypted at rest: a PKCS#12 file and its password.</summary>
public sealed class DataProtectionCertificateOptions
{
    public const string Section = "DataProtection:Certificate";

    public string? Path { get; set; }
    public string? Password { get; set; }

    /// <summary>Certificates that protected older keys (rollover): they still decrypt, never encrypt.</summary>
    public string[] PreviousPaths { get; set; } = [];
}

/// <summary>
/// One Data Protection key ring for the whole platform: one application name, the keys in Redis, so antiforgery
/// tokens and protected payloads (e.g. authenticator secrets) made by any replica of any service are read by any
/// other. With <c>DataProtection:Certificate:Path</c> set, the keys are encrypted at rest with that certificate.
/// </summary>
public static class PlatformDataProtection
{
    /// <summary>The discriminator every service shares; changing it makes every protected value unreadable.</summary>
    public const string ApplicationName = "access-platform";

    /// <summary>The Redis list that holds the key ring (the dev reset keeps it).</summary>
    public const string RedisKey = "access-platform:data-protection-keys";

    /// <summary>Needs the <c>redis</c> client (<c>AddRedisClient("redis")</c>) registered as <see cref="IConnectionMultiplexer"/>.</summary>
    public static TBuilder AddPlatformDataProtection<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
            options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), RedisKey));
        dataProtection.ProtectKeysWithConfiguredCertificate(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Encrypts new keys with the configured certificate and decrypts with it (and previous ones) without needing
    /// the machine's certificate store. Nothing configured: keys stay as Redis holds them (dev), with the
    /// framework's warning in the log.
    /// </summary>
    public static IDataProtectionBuilder ProtectKeysWithConfiguredCertificate(this IDataProtectionBuilder builder, IConfiguration configuration)
    {
        var options = configuration.GetSection(DataProtectionCertificateOptions.Section).Get<DataProtectionCertificateOptions>();
        if (string.IsNullOrWhiteSpace(options?.Path))
        {
            return builder;
        }
        var current = Load(options.Path, options.Password);
        var previous = options.PreviousPaths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Load(p, options.Password));
        return builder.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([current, .. previous]);
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The Data Protection certificate {certificate.Thumbprint} has no private key.");
        }
        return certificate;
    }
}
