namespace AccessPlatform.Sso.Login;

/// <summary>Settings of the SAML service provider.</summary>
public sealed class SsoOptions
{
    public const string Section = "Sso";

    /// <summary>The address users reach; SP entity ids and ACS URLs are built from it, never from a request's Host header.</summary>
    public string PublicOrigin { get; set; } = "http://localhost:8080";

    /// <summary>Cap on a decoded SAMLResponse; real ones are a few KiB.</summary>
    public int MaxResponseBytes { get; set; } = 128 * 1024;

    /// <summary>How long a started login may take at the IdP.</summary>
    public int PendingRequestMinutes { get; set; } = 10;

    /// <summary>IdP and SP certificates expiring within this many days raise the metric and the health warning.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 365)]
    public int CertificateWarningDays { get; set; } = 30;

    /// <summary>How often the certificate expiry check reads the database.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 24 * 60)]
    public int CertificateCheckMinutes { get; set; } = 60;

    /// <summary>http IdP URLs are for local development and tests only.</summary>
    public bool AllowHttpIdp { get; set; }

    /// <summary>SP entity id of an account: its SSO URL, e.g. https://host/login/saml/contoso/.</summary>
    public string SpEntityId(string accountKey) => $"{PublicOrigin.TrimEnd('/')}/login/saml/{accountKey}/";
}
