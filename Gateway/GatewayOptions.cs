namespace AccessPlatform.Gateway;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Bodies above this are refused with 413 before they reach a service (SAML responses fit easily).</summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Per client IP, on POSTs to the authentication routes (login, codes, resets, SSO).</summary>
    public RateLimit Auth { get; set; } = new() { PermitLimit = 30, WindowSeconds = 60 };

    /// <summary>Per client IP, on everything else.</summary>
    public RateLimit General { get; set; } = new() { PermitLimit = 600, WindowSeconds = 60 };

    public sealed class RateLimit
    {
        public int PermitLimit { get; set; }
        public int WindowSeconds { get; set; }
    }
}
