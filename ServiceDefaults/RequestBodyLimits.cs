namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Request body limits, one per kind of route. The gateway's limit for a route is never above the limit of the
/// service behind it (Gateway/appsettings.json uses these numbers): a body the service would refuse halfway is
/// refused whole at the gateway with 413, instead of the service closing the connection under YARP (a 502).
/// </summary>
public static class RequestBodyLimits
{
    /// <summary>JSON APIs and form pages: far more than any login, user or settings body.</summary>
    public const long Default = 64 * 1024;

    /// <summary>SAML responses posted by the browser to the assertion consumer (signed XML, base64, certificates).</summary>
    public const long SamlPost = 256 * 1024;
}
