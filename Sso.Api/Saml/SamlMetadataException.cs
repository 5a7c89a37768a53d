namespace Sso.Api.Saml;

/// <summary>
/// Metadata could not be used. <see cref="Code"/> names the rule (the settings page and API show it in the reader's
/// language as <c>Valid_Metadata_{Code}</c>); the English message describes what is missing, never echoes the document.
/// </summary>
public sealed class SamlMetadataException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
