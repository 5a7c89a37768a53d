using System.ComponentModel.DataAnnotations;

namespace AccessPlatform.Sso.Metadata;

/// <summary>How Sso.Api fetches an IdP's metadata document from the URL an Account Manager gave (<c>Sso:MetadataFetch</c>).</summary>
public sealed class MetadataFetchOptions
{
    public const string Section = "Sso:MetadataFetch";

    /// <summary>The whole fetch, redirects included: a slow IdP must not hold a settings save or the refresh for long.</summary>
    [Range(1, 60)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Real metadata is a few KiB (an aggregate a few hundred); the same cap as a pasted document.</summary>
    [Range(1024, global::Sso.Api.Saml.IdpMetadataReader.MaxMetadataBytes)]
    public int MaxBytes { get; set; } = global::Sso.Api.Saml.IdpMetadataReader.MaxMetadataBytes;

    /// <summary>Redirects are followed on the same host only, at most this many.</summary>
    [Range(0, 5)]
    public int MaxRedirects { get; set; } = 3;

    /// <summary>
    /// Tests only: loopback addresses (127.0.0.0/8, ::1) may be fetched. Every other private, link-local or reserved
    /// range stays refused. Refused at start outside Development and Testing environments.
    /// </summary>
    public bool AllowLoopback { get; set; }

    /// <summary>
    /// Tests only: a PEM certificate (the test server's self-signed one) trusted for metadata URLs besides the system's
    /// roots. Refused at start outside Development and Testing environments.
    /// </summary>
    public string? TrustedCertificateFile { get; set; }

    /// <summary>Whether these options may run in the environment: the test switches never in production.</summary>
    public static bool IsAllowedIn(MetadataFetchOptions o, string environmentName) =>
        (!o.AllowLoopback && string.IsNullOrEmpty(o.TrustedCertificateFile))
        || environmentName is "Development" or "Testing";
}

/// <summary>How often fetched IdP metadata is fetched again (<c>Sso:MetadataRefresh</c>).</summary>
public sealed class MetadataRefreshOptions
{
    public const string Section = "Sso:MetadataRefresh";

    /// <summary>Age after which a connection's metadata is fetched again (after a success or a failure).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How often the refresh service looks for due connections.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Off: no background refresh on this instance (saving and "Refresh now" still fetch).</summary>
    public bool Enabled { get; set; } = true;
}
