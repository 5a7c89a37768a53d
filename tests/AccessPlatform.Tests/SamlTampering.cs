using System.Text;
using System.Xml;

namespace AccessPlatform.Tests;

/// <summary>
/// Turns a genuine, IdP-signed response into the classic attacks: signature wrapping (XSW1-8 as catalogued by
/// Somorovsky et al. and SAML Raider), a comment in the NameID, a second assertion, a DTD, an oversized body.
/// </summary>
public static class SamlTampering
{
    private const string P = "urn:oasis:names:tc:SAML:2.0:protocol";
    private const string A = "urn:oasis:names:tc:SAML:2.0:assertion";
    private const string Ds = "http://www.w3.org/2000/09/xmldsig#";

    public static XmlDocument Load(string base64)
    {
        var doc = new XmlDocument { PreserveWhitespace = true };
        doc.LoadXml(Encoding.UTF8.GetString(Convert.FromBase64String(base64)));
        return doc;
    }

    public static string Save(XmlDocument doc) => Save(doc.OuterXml);

    public static string Save(string xml) => Convert.ToBase64String(Encoding.UTF8.GetBytes(xml));

    private static XmlElement Assertion(XmlDocument doc) => (XmlElement)doc.GetElementsByTagName("Assertion", A)[0]!;

    private static XmlElement? SignatureOf(XmlElement e) => e.ChildNodes.OfType<XmlElement>().FirstOrDefault(c => c.LocalName == "Signature" && c.NamespaceURI == Ds);

    /// <summary>A copy of the assertion about the victim instead, with a new ID and no signature.</summary>
    private static XmlElement Evil(XmlElement assertion, string victimEmail, bool keepSignature = false)
    {
        var evil = (XmlElement)assertion.CloneNode(deep: true);
        evil.SetAttribute("ID", "_evil" + Guid.NewGuid().ToString("N"));
        if (!keepSignature && SignatureOf(evil) is { } signature)
        {
            evil.RemoveChild(signature);
        }
        evil.GetElementsByTagName("NameID", A)[0]!.InnerText = victimEmail;
        foreach (XmlElement value in evil.GetElementsByTagName("AttributeValue", A))
        {
            if (value.InnerText.Contains('@'))
            {
                value.InnerText = victimEmail;
            }
        }
        return evil;
    }

    private static XmlElement StripSignature(XmlElement e)
    {
        if (SignatureOf(e) is { } signature)
        {
            e.RemoveChild(signature);
        }
        return e;
    }

    /// <param name="variant">1-2 need a response whose Response is signed; 3-8 one whose Assertion is signed.</param>
    public static string Xsw(string base64, int variant, string victimEmail)
    {
        var doc = Load(base64);
        var response = doc.DocumentElement!;
        var assertion = Assertion(doc);
        switch (variant)
        {
            case 1:
            case 2:
            {
                // A new Response about the victim, carrying the original signature; the signed original hides in
                // the signature (1) or next to it (2).
                var evilResponse = (XmlElement)response.CloneNode(deep: true);
                evilResponse.SetAttribute("ID", "_evil" + Guid.NewGuid().ToString("N"));
                var evilAssertion = evilResponse.GetElementsByTagName("Assertion", A).OfType<XmlElement>().First();
                evilResponse.ReplaceChild(Evil(evilAssertion, victimEmail), evilAssertion);
                var signature = SignatureOf(evilResponse)!;
                var original = (XmlElement)response.CloneNode(deep: true);
                if (variant == 1)
                {
                    signature.AppendChild(original);
                }
                else
                {
                    evilResponse.InsertBefore(original, signature);
                }
                doc.ReplaceChild(evilResponse, response);
                break;
            }
            case 3:
                // Evil assertion first, the signed one after it.
                response.InsertBefore(Evil(assertion, victimEmail), assertion);
                break;
            case 4:
            {
                // Evil assertion wraps the signed one.
                var evil = Evil(assertion, victimEmail);
                response.ReplaceChild(evil, assertion);
                evil.AppendChild(assertion);
                break;
            }
            case 5:
            {
                // Evil assertion carries the copied signature; the original, unsigned, goes to the end.
                var evil = Evil(assertion, victimEmail, keepSignature: true);
                response.ReplaceChild(evil, assertion);
                response.AppendChild(StripSignature(assertion));
                break;
            }
            case 6:
            {
                // Evil assertion carries the copied signature; the original, unsigned, hides inside it.
                var evil = Evil(assertion, victimEmail, keepSignature: true);
                response.ReplaceChild(evil, assertion);
                SignatureOf(evil)!.AppendChild(StripSignature(assertion));
                break;
            }
            case 7:
            {
                // The signed original in an Extensions element, the evil one in its place.
                var evil = Evil(assertion, victimEmail);
                var extensions = doc.CreateElement("samlp", "Extensions", P);
                response.ReplaceChild(evil, assertion);
                response.InsertBefore(extensions, evil);
                extensions.AppendChild(assertion);
                break;
            }
            case 8:
            {
                // Evil assertion with the copied signature; the original, unsigned, in a ds:Object of it.
                var evil = Evil(assertion, victimEmail, keepSignature: true);
                response.ReplaceChild(evil, assertion);
                var obj = doc.CreateElement("ds", "Object", Ds);
                SignatureOf(evil)!.AppendChild(obj);
                obj.AppendChild(StripSignature(assertion));
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(variant));
        }
        return Save(doc);
    }

    public static string Unsigned(string base64)
    {
        var doc = Load(base64);
        foreach (var signature in doc.GetElementsByTagName("Signature", Ds).OfType<XmlElement>().ToList())
        {
            signature.ParentNode!.RemoveChild(signature);
        }
        return Save(doc);
    }

    /// <summary>
    /// The 2018 comment trick: the IdP signed "victim@x.test.evil.test"; a comment after "victim@x.test" leaves the
    /// signature valid (c14n drops comments) and fools an SP that reads only the first text node.
    /// </summary>
    public static string CommentInNameId(string base64, string victimEmail)
    {
        var doc = Load(base64);
        var nameId = (XmlElement)doc.GetElementsByTagName("NameID", A)[0]!;
        var text = nameId.InnerText;
        Assert.StartsWith(victimEmail, text);
        nameId.RemoveAll();
        nameId.SetAttribute("Format", "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
        nameId.AppendChild(doc.CreateTextNode(victimEmail));
        nameId.AppendChild(doc.CreateComment(""));
        nameId.AppendChild(doc.CreateTextNode(text[victimEmail.Length..]));
        return Save(doc);
    }

    public static string TwoAssertions(string base64)
    {
        var doc = Load(base64);
        var assertion = Assertion(doc);
        doc.DocumentElement!.AppendChild(assertion.CloneNode(deep: true));
        return Save(doc);
    }

    public static string WithDtd(string base64) =>
        Save("<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" + Load(base64).OuterXml);

    /// <summary>Valid in every other way, but larger than the ACS accepts (and still under the gateway's body limit).</summary>
    public static string Oversized(string base64)
    {
        var doc = Load(base64);
        doc.DocumentElement!.AppendChild(doc.CreateComment(new string('x', 150_000)));
        return Save(doc);
    }
}
