using System.Security.Cryptography.Xml;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>
/// SignedXml that resolves same-document references only through the SAML "ID" attribute
/// and only when exactly one element carries the value, so a wrapped duplicate can never be
/// the element that gets digested. It records what it resolved so the caller can confirm the
/// signature covers the element it is about to trust.
/// </summary>
internal sealed class StrictSignedXml : SignedXml
{
    public StrictSignedXml(XmlDocument document) : base(document)
    {
    }

    public XmlElement? ResolvedElement { get; private set; }

    public override XmlElement? GetIdElement(XmlDocument? document, string idValue)
    {
        ResolvedElement = null;
        if (document is null || string.IsNullOrEmpty(idValue))
        {
            return null;
        }

        XmlElement? match = null;
        foreach (XmlNode node in document.GetElementsByTagName("*"))
        {
            if (node is XmlElement e && e.GetAttributeNode("ID")?.Value == idValue)
            {
                if (match is not null)
                {
                    return null;
                }

                match = e;
            }
        }

        ResolvedElement = match;
        return match;
    }
}
