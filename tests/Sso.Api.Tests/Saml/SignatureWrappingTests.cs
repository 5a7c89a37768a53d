using System.Xml;
using Sso.Api.Saml;
using static Sso.Api.Tests.Saml.TestIdp;

namespace Sso.Api.Tests.Saml;

/// <summary>
/// XML signature wrapping (XSW1-8 style): the attacker keeps a genuinely signed element somewhere
/// in the document and adds a forged, unsigned assertion where a naive SP would read it.
/// </summary>
public class SignatureWrappingTests
{
    private const string P = SamlConstants.ProtocolNamespace;
    private const string A = SamlConstants.AssertionNamespace;
    private const string Ds = SamlConstants.XmlDsigNamespace;

    private static SamlValidationResult Validate(XmlDocument doc) => TestIdp.Validate(Encode(doc), Context());

    private static XmlElement Forge(XmlElement assertion, bool keepId)
    {
        var forged = (XmlElement)assertion.CloneNode(deep: true);
        foreach (var signature in forged.GetElementsByTagName("Signature", Ds).Cast<XmlElement>().ToList())
        {
            signature.ParentNode!.RemoveChild(signature);
        }

        forged["Subject", A]!["NameID", A]!.InnerText = "admin@victim.example";
        if (!keepId)
        {
            forged.SetAttribute("ID", "_forged");
        }

        return forged;
    }

    private static XmlElement Extensions(XmlDocument doc)
    {
        var extensions = doc.CreateElement("samlp", "Extensions", P);
        var status = doc.DocumentElement!["Status", P]!;
        doc.DocumentElement!.InsertBefore(extensions, status);
        return extensions;
    }

    [Theory]
    [InlineData("signed assertion moved into Response Extensions, forged assertion in its place", false)]
    [InlineData("signed assertion moved into Response Extensions, forged assertion in its place", true)]
    [InlineData("signed assertion nested inside the forged assertion", false)]
    [InlineData("signed assertion nested inside the forged assertion", true)]
    [InlineData("signed assertion wrapped in a ds:Object of the forged assertion's signature", true)]
    [InlineData("signed assertion placed after the forged assertion", false)]
    [InlineData("signed assertion inside the forged assertion's Advice", true)]
    public void A_wrapped_signed_assertion_next_to_a_forged_one_is_rejected(string placement, bool forgedKeepsId)
    {
        var doc = BuildResponse(new ResponseSpec());
        var original = Assertion(doc);
        Sign(original);
        var response = doc.DocumentElement!;
        var forged = Forge(original, forgedKeepsId);

        switch (placement)
        {
            case "signed assertion moved into Response Extensions, forged assertion in its place":
                response.ReplaceChild(forged, original);
                Extensions(doc).AppendChild(original);
                break;
            case "signed assertion nested inside the forged assertion":
                response.ReplaceChild(forged, original);
                forged.AppendChild(original);
                break;
            case "signed assertion wrapped in a ds:Object of the forged assertion's signature":
                response.ReplaceChild(forged, original);
                var signature = (XmlElement)original["Signature", Ds]!.CloneNode(deep: true);
                forged.InsertAfter(signature, forged["Issuer", A]);
                var obj = doc.CreateElement("Object", Ds);
                signature.AppendChild(obj);
                obj.AppendChild(original);
                break;
            case "signed assertion placed after the forged assertion":
                response.InsertBefore(forged, original);
                break;
            case "signed assertion inside the forged assertion's Advice":
                response.ReplaceChild(forged, original);
                var advice = doc.CreateElement("saml", "Advice", A);
                forged.InsertBefore(advice, forged["AuthnStatement", A]);
                advice.AppendChild(original);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(placement));
        }

        var result = Validate(doc);

        Assert.False(result.Succeeded);
        Assert.Equal(SamlFailureReason.AssertionCount, result.Reason);
    }

    [Theory]
    [InlineData("inside the forged response's Extensions")]
    [InlineData("inside a ds:Object of the copied response signature")]
    public void A_wrapped_signed_response_around_a_forged_one_is_rejected(string placement)
    {
        // XSW1/XSW2: the forged response becomes the root and carries the signed original inside it.
        var doc = BuildResponse(new ResponseSpec());
        Sign(doc.DocumentElement!);
        var original = doc.DocumentElement!;

        var forgedDoc = new XmlDocument { PreserveWhitespace = true };
        var forged = (XmlElement)forgedDoc.ImportNode(original, deep: true);
        forgedDoc.AppendChild(forged);
        forged["Assertion", A]!["Subject", A]!["NameID", A]!.InnerText = "admin@victim.example";
        forged.SetAttribute("ID", "_forged");
        var copiedOriginal = forgedDoc.ImportNode(original, deep: true);

        if (placement == "inside the forged response's Extensions")
        {
            forged.RemoveChild(forged["Signature", Ds]!);
            var extensions = forgedDoc.CreateElement("samlp", "Extensions", P);
            forged.InsertBefore(extensions, forged["Status", P]);
            extensions.AppendChild(copiedOriginal);
        }
        else
        {
            var obj = forgedDoc.CreateElement("Object", Ds);
            forged["Signature", Ds]!.AppendChild(obj);
            obj.AppendChild(copiedOriginal);
        }

        var result = Validate(forgedDoc);

        Assert.False(result.Succeeded);
        Assert.Equal(SamlFailureReason.AssertionCount, result.Reason);
    }

    [Fact]
    public void A_forged_assertion_carrying_the_original_signature_is_rejected()
    {
        // Only one assertion remains, so the count passes; the digest must catch it.
        var doc = BuildResponse(new ResponseSpec());
        var original = Assertion(doc);
        Sign(original);
        var forged = Forge(original, keepId: true);
        forged.InsertAfter(original["Signature", Ds]!.CloneNode(deep: true), forged["Issuer", A]);
        doc.DocumentElement!.ReplaceChild(forged, original);

        Assert.Equal(SamlFailureReason.SignatureInvalid, Validate(doc).Reason);
    }

    [Fact]
    public void A_response_that_reuses_the_signed_assertion_id_is_rejected_as_duplicate()
    {
        var spec = new ResponseSpec();
        var doc = BuildResponse(spec);
        Sign(Assertion(doc));
        doc.DocumentElement!.SetAttribute("ID", spec.AssertionId);

        Assert.Equal(SamlFailureReason.DuplicateId, Validate(doc).Reason);
    }

    [Theory]
    [InlineData("ID")]
    [InlineData("Id")]
    [InlineData("id")]
    public void Another_element_carrying_the_signed_response_id_is_rejected_as_duplicate(string attributeName)
    {
        var spec = new ResponseSpec();
        var doc = BuildResponse(spec);
        Sign(doc.DocumentElement!);
        var decoy = doc.CreateElement("x", "Decoy", "urn:example:decoy");
        decoy.SetAttribute(attributeName, spec.ResponseId);
        Extensions(doc).AppendChild(decoy);

        Assert.Equal(SamlFailureReason.DuplicateId, Validate(doc).Reason);
    }

    [Fact]
    public void A_signature_moved_to_an_element_it_does_not_reference_is_rejected()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(doc.DocumentElement!);
        var signature = doc.DocumentElement!["Signature", Ds]!;
        doc.DocumentElement!.RemoveChild(signature);
        var assertion = Assertion(doc);
        assertion.InsertAfter(signature, assertion["Issuer", A]);

        Assert.Equal(SamlFailureReason.ReferenceMismatch, Validate(doc).Reason);
    }

    [Fact]
    public void A_signature_outside_the_response_and_assertion_is_rejected()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc));
        var stray = Assertion(doc)["Signature", Ds]!.CloneNode(deep: true);
        Extensions(doc).AppendChild(stray);

        Assert.Equal(SamlFailureReason.Malformed, Validate(doc).Reason);
    }

    [Fact]
    public void A_valid_response_signature_does_not_excuse_an_invalid_assertion_signature()
    {
        var doc = BuildResponse(new ResponseSpec());
        Sign(Assertion(doc), AttackerCertificate);
        Sign(doc.DocumentElement!);

        Assert.Equal(SamlFailureReason.UntrustedCertificate, Validate(doc).Reason);
    }
}
