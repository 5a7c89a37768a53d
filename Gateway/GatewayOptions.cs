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

    /// <summary>
    /// Per client IP, on POSTs to sign-up (page and API, confirmation included): bounds probing which account keys
    /// and usernames are taken, and the activation and notice emails one address can cause.
    /// </summary>
    public RateLimit Signup { get; set; } = new() { PermitLimit = 10, WindowSeconds = 600 };

    public sealed class RateLimit
    {
        public int PermitLimit { get; set; }
        public int WindowSeconds { get; set; }
    }
}
