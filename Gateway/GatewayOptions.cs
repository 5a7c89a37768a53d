namespace AccessPlatform.Gateway;

public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>
    /// Body limit for a route that sets no <c>MaxRequestBodySize</c> of its own (each route in appsettings.json sets
    /// the limit of the service behind it, see <see cref="Microsoft.Extensions.Hosting.RequestBodyLimits"/>).
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = Microsoft.Extensions.Hosting.RequestBodyLimits.Default;

    /// <summary>
    /// The TLS terminators / load balancers in front of the gateway (CIDR or single addresses). Only their
    /// <c>X-Forwarded-For</c>/<c>-Proto</c> are believed; empty (the default) means the TCP peer is the client.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>IPv6 clients share one rate-limit budget per network of this prefix length (a /64 is one subscriber).</summary>
    public int Ipv6PartitionPrefix { get; set; } = Microsoft.Extensions.Hosting.ClientPartition.DefaultIpv6Prefix;

    /// <summary>Per client IP, on POSTs to the authentication routes (login, codes, resets, SSO).</summary>
    public RateLimit Auth { get; set; } = new() { PermitLimit = 30, WindowSeconds = 60 };

    /// <summary>
    /// Per client IP, on GETs of the SAML endpoints (<c>/login/saml/...</c>: starting a login, metadata): each is
    /// unauthenticated and builds (maybe signs) an AuthnRequest, so a flood from one address is cut off here.
    /// POSTs of the ACS spend the <see cref="Auth"/> budget.
    /// </summary>
    public RateLimit SamlReads { get; set; } = new() { PermitLimit = 60, WindowSeconds = 60 };

    /// <summary>Per client IP, on everything else.</summary>
    public RateLimit General { get; set; } = new() { PermitLimit = 600, WindowSeconds = 60 };

    /// <summary>
    /// Per client IP, on POSTs to sign-up (page and API, confirmation included): bounds probing which account keys
    /// and usernames are taken, and the activation and notice emails one address can cause.
    /// </summary>
    public RateLimit Signup { get; set; } = new() { PermitLimit = 10, WindowSeconds = 600 };

    /// <summary>The API reference (<c>/docs</c>) and the OpenAPI documents it reads (<c>/openapi/*.json</c>).</summary>
    public ApiReferenceOptions ApiReference { get; set; } = new();

    public sealed class ApiReferenceOptions
    {
        /// <summary>Unset: on in Development, off elsewhere (the documents map every public route of the platform).</summary>
        public bool? Enabled { get; set; }

        public bool IsEnabled(IHostEnvironment environment) => Enabled ?? environment.IsDevelopment();
    }

    public sealed class RateLimit
    {
        public int PermitLimit { get; set; }
        public int WindowSeconds { get; set; }
    }
}
