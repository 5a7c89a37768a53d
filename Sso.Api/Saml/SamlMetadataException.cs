namespace Sso.Api.Saml;

/// <summary>Metadata could not be used. Messages describe what is missing, never echo the document.</summary>
public sealed class SamlMetadataException : Exception
{
    public SamlMetadataException(string message) : base(message)
    {
    }
}
