namespace Sso.Api.Saml;

/// <summary>An HTTP-Redirect binding request: where to send the browser, and the request ID to remember for InResponseTo.</summary>
public sealed record SamlRedirect(string RequestId, string Url);
