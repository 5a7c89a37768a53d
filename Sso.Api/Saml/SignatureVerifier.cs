using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>
/// Verifies one enveloped XML-DSig signature over a SAML Response or Assertion against the
/// configured IdP certificates. The SignedInfo is checked by hand first so that only the
/// narrow profile SAML needs (one same-document reference to the enclosing element,
/// exclusive c14n, enveloped transform, SHA-2) ever reaches SignedXml.
/// </summary>
internal static class SignatureVerifier
{
    private const string Ds = SamlConstants.XmlDsigNamespace;

    private static readonly HashSet<string> StrongSignatureMethods = new(StringComparer.Ordinal)
    {
        SamlConstants.RsaSha256,
        SamlConstants.RsaSha384,
        SamlConstants.RsaSha512,
    };

    private static readonly HashSet<string> StrongDigestMethods = new(StringComparer.Ordinal)
    {
        SamlConstants.DigestSha256,
        SamlConstants.DigestSha384,
        SamlConstants.DigestSha512,
    };

    /// <param name="signed">The element that directly contains <paramref name="signature"/>.</param>
    internal static void Verify(XmlDocument doc, XmlElement signed, XmlElement signature, IdpConfig idp)
    {
        var id = SafeXml.Attr(signed, "ID");
        if (string.IsNullOrEmpty(id))
        {
            throw Reject(SamlFailureReason.ReferenceMismatch, "The signed element has no ID.");
        }

        // An xs:ID is an NCName; this also rules out xpointer(...) style fragment tricks.
        try
        {
            XmlConvert.VerifyNCName(id);
        }
        catch (XmlException)
        {
            throw Reject(SamlFailureReason.Malformed, "The signed element's ID is not a valid xs:ID.");
        }

        // Signature wrapping relies on a second element answering to the signed ID.
        if (CountIdOccurrences(doc, id) != 1)
        {
            throw Reject(SamlFailureReason.DuplicateId, "The signed element's ID is not unique in the document.");
        }

        CheckSignedInfo(signature, id, idp.AllowSha1);

        foreach (var cert in idp.SigningCertificates)
        {
            using var key = cert.GetRSAPublicKey();
            if (key is null)
            {
                continue;
            }

            // A fresh instance per key: SignedXml keeps per-check state.
            var signedXml = new StrictSignedXml(doc);
            try
            {
                signedXml.LoadXml(signature);
            }
            catch (Exception e) when (e is FormatException or CryptographicException)
            {
                // LoadXml also parses KeyInfo, which we never use but which may be garbage.
                throw Reject(SamlFailureReason.Malformed, "The signature element could not be parsed.");
            }

            if (signedXml.SignedInfo?.References.Count != 1)
            {
                throw Reject(SamlFailureReason.ReferenceMismatch, "The signature must have exactly one reference.");
            }

            // Key only from configuration: the KeyInfo in the message is attacker-controlled.
            if (signedXml.CheckSignature(key) && ReferenceEquals(signedXml.ResolvedElement, signed))
            {
                return;
            }
        }

        throw EmbedsUnknownCertificate(signature, idp.SigningCertificates)
            ? Reject(SamlFailureReason.UntrustedCertificate, "The signature was made with a certificate that is not configured for this IdP.")
            : Reject(SamlFailureReason.SignatureInvalid, "The signature does not verify.");
    }

    private static void CheckSignedInfo(XmlElement signature, string id, bool allowSha1)
    {
        var signedInfo = SafeXml.SingleChild(signature, Ds, "SignedInfo")
            ?? throw Reject(SamlFailureReason.Malformed, "The signature has no single SignedInfo.");

        var c14n = SafeXml.SingleChild(signedInfo, Ds, "CanonicalizationMethod");
        if (c14n is null || SafeXml.Attr(c14n, "Algorithm") != SamlConstants.ExclusiveC14n)
        {
            throw Reject(SamlFailureReason.BadTransform, "The signature must use exclusive canonicalization.");
        }

        var method = SafeXml.SingleChild(signedInfo, Ds, "SignatureMethod");
        var methodAlgorithm = method is null ? null : SafeXml.Attr(method, "Algorithm");
        if (methodAlgorithm is null
            || !(StrongSignatureMethods.Contains(methodAlgorithm) || (allowSha1 && methodAlgorithm == SamlConstants.RsaSha1)))
        {
            throw Reject(SamlFailureReason.WeakAlgorithm, "The signature algorithm is not allowed.");
        }

        var references = SafeXml.Children(signedInfo, Ds, "Reference").ToList();
        if (references.Count != 1)
        {
            throw Reject(SamlFailureReason.ReferenceMismatch, "The signature must have exactly one reference.");
        }

        var reference = references[0];
        if (SafeXml.Attr(reference, "URI") != "#" + id)
        {
            throw Reject(SamlFailureReason.ReferenceMismatch, "The signature does not reference the element that contains it.");
        }

        CheckTransforms(reference);

        var digest = SafeXml.SingleChild(reference, Ds, "DigestMethod");
        var digestAlgorithm = digest is null ? null : SafeXml.Attr(digest, "Algorithm");
        if (digestAlgorithm is null
            || !(StrongDigestMethods.Contains(digestAlgorithm) || (allowSha1 && digestAlgorithm == SamlConstants.DigestSha1)))
        {
            throw Reject(SamlFailureReason.WeakAlgorithm, "The digest algorithm is not allowed.");
        }
    }

    /// <summary>Exactly the enveloped-signature transform, optionally followed by exclusive c14n; nothing else.</summary>
    private static void CheckTransforms(XmlElement reference)
    {
        var transforms = SafeXml.SingleChild(reference, Ds, "Transforms")
            ?? throw Reject(SamlFailureReason.BadTransform, "The reference must use the enveloped-signature transform.");

        var enveloped = 0;
        var exclusive = 0;
        foreach (XmlNode node in transforms.ChildNodes)
        {
            if (node is not XmlElement transform)
            {
                continue;
            }

            if (transform.LocalName != "Transform" || transform.NamespaceURI != Ds)
            {
                throw Reject(SamlFailureReason.BadTransform, "The reference contains an unexpected transform element.");
            }

            switch (SafeXml.Attr(transform, "Algorithm"))
            {
                case SamlConstants.EnvelopedSignature:
                    enveloped++;
                    break;
                case SamlConstants.ExclusiveC14n:
                    exclusive++;
                    break;
                default:
                    throw Reject(SamlFailureReason.BadTransform, "The reference uses a transform that is not allowed.");
            }
        }

        if (enveloped != 1 || exclusive > 1)
        {
            throw Reject(SamlFailureReason.BadTransform, "The reference transforms are not enveloped-signature plus exclusive c14n.");
        }
    }

    private static int CountIdOccurrences(XmlDocument doc, string id)
    {
        // Count any spelling of an ID attribute, in any namespace: a lookalike "Id" or "xml:id"
        // is harmless to our resolver but has no business sharing the signed element's value.
        var count = 0;
        foreach (XmlNode node in doc.GetElementsByTagName("*"))
        {
            foreach (XmlAttribute attribute in node.Attributes!)
            {
                if (string.Equals(attribute.LocalName, "ID", StringComparison.OrdinalIgnoreCase) && attribute.Value == id)
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// Only to choose the failure reason: a KeyInfo certificate we do not know suggests the
    /// response was signed by someone else. It never influences whether a signature is accepted.
    /// </summary>
    private static bool EmbedsUnknownCertificate(XmlElement signature, IReadOnlyList<X509Certificate2> trusted)
    {
        var keyInfo = SafeXml.SingleChild(signature, Ds, "KeyInfo");
        if (keyInfo is null)
        {
            return false;
        }

        foreach (var data in SafeXml.Children(keyInfo, Ds, "X509Data"))
        {
            foreach (var certificate in SafeXml.Children(data, Ds, "X509Certificate"))
            {
                byte[] raw;
                try
                {
                    raw = Convert.FromBase64String(certificate.InnerText);
                }
                catch (FormatException)
                {
                    return true;
                }

                if (!trusted.Any(t => t.RawData.AsSpan().SequenceEqual(raw)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static SamlResponseValidator.Rejection Reject(SamlFailureReason reason, string message) => new(reason, message, null);
}
