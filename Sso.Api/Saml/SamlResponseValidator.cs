using System.Globalization;
using System.Security.Cryptography;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>
/// Validates a Web Browser SSO Response received on the ACS via HTTP-POST.
/// Every check must pass; data is read only from the element whose signature verified.
/// </summary>
public static class SamlResponseValidator
{
    private const string P = SamlConstants.ProtocolNamespace;
    private const string A = SamlConstants.AssertionNamespace;
    private const string Ds = SamlConstants.XmlDsigNamespace;

    private static readonly string[] EmailAttributeNames =
    [
        "email",
        "mail",
        "emailaddress",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "urn:oid:1.2.840.113549.1.9.1",
    ];

    internal static readonly HashSet<string> KnownStatusCodes = new(StringComparer.Ordinal)
    {
        "urn:oasis:names:tc:SAML:2.0:status:Requester",
        "urn:oasis:names:tc:SAML:2.0:status:Responder",
        "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch",
        "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
        "urn:oasis:names:tc:SAML:2.0:status:InvalidAttrNameOrValue",
        "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy",
        "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext",
        "urn:oasis:names:tc:SAML:2.0:status:NoAvailableIDP",
        "urn:oasis:names:tc:SAML:2.0:status:NoPassive",
        "urn:oasis:names:tc:SAML:2.0:status:NoSupportedIDP",
        "urn:oasis:names:tc:SAML:2.0:status:PartialLogout",
        "urn:oasis:names:tc:SAML:2.0:status:ProxyCountExceeded",
        "urn:oasis:names:tc:SAML:2.0:status:RequestDenied",
        "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported",
        "urn:oasis:names:tc:SAML:2.0:status:RequestVersionDeprecated",
        "urn:oasis:names:tc:SAML:2.0:status:RequestVersionTooHigh",
        "urn:oasis:names:tc:SAML:2.0:status:RequestVersionTooLow",
        "urn:oasis:names:tc:SAML:2.0:status:ResourceNotRecognized",
        "urn:oasis:names:tc:SAML:2.0:status:TooManyResponses",
        "urn:oasis:names:tc:SAML:2.0:status:UnknownAttrProfile",
        "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal",
        "urn:oasis:names:tc:SAML:2.0:status:UnsupportedBinding",
    };

    /// <summary>How old an IssueInstant may be (plus the clock skew): a response is posted seconds after it is made.</summary>
    public static readonly TimeSpan MaxIssueAge = TimeSpan.FromMinutes(5);

    /// <param name="base64SamlResponse">The SAMLResponse form field as posted.</param>
    public static async Task<SamlValidationResult> ValidateAsync(string? base64SamlResponse, SamlValidationContext ctx, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        SamlIdentity identity;
        DateTimeOffset rememberUntil;
        try
        {
            (identity, rememberUntil) = ValidateCore(base64SamlResponse, ctx);
        }
        catch (Rejection r)
        {
            return SamlValidationResult.Failure(r.Reason, r.Message, r.IdpStatusCode);
        }
        catch (Exception e) when (e is XmlException or FormatException)
        {
            return SamlValidationResult.Failure(SamlFailureReason.Malformed, "The response XML could not be processed.");
        }
        catch (CryptographicException)
        {
            return SamlValidationResult.Failure(SamlFailureReason.SignatureInvalid, "The signature could not be processed.");
        }

        // Last, so that refused responses never consume an ID; awaited, so a Redis round trip holds no thread.
        if (!await ctx.TryRememberAssertionId(identity.AssertionId, rememberUntil, cancellationToken))
        {
            return SamlValidationResult.Failure(SamlFailureReason.Replay, "The assertion has already been used.");
        }
        return SamlValidationResult.Success(identity);
    }

    private static (SamlIdentity Identity, DateTimeOffset RememberUntil) ValidateCore(string? base64, SamlValidationContext ctx)
    {
        var doc = Decode(base64, ctx.MaxResponseBytes);
        var response = doc.DocumentElement!;
        if (response.LocalName != "Response" || response.NamespaceURI != P)
        {
            throw Reject(SamlFailureReason.Malformed, "The root element is not a SAML 2.0 protocol Response.");
        }

        if (SafeXml.Attr(response, "Version") != "2.0")
        {
            throw Reject(SamlFailureReason.Malformed, "The response is not SAML version 2.0.");
        }

        CheckStatus(response);
        var (assertion, responseSignatureVerified) = FindAssertion(doc, response, ctx);
        VerifySignatures(doc, response, assertion, ctx.Idp, responseSignatureVerified);

        // From here on, `response` is either verified or only used for checks that can refuse but never
        // grant; `assertion` is the exact element covered by a verified signature.
        return ReadVerifiedAssertion(response, assertion, ctx);
    }

    private static XmlDocument Decode(string? base64, int maxBytes)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            throw Reject(SamlFailureReason.Malformed, "The response is empty.");
        }

        // Cheap bound before decoding: 4 base64 chars per 3 bytes, with room for line breaks.
        if (base64.Length > (maxBytes / 3 * 4) + (maxBytes / 16) + 16)
        {
            throw Reject(SamlFailureReason.TooLarge, "The response exceeds the size limit.");
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw Reject(SamlFailureReason.Malformed, "The response is not valid base64.");
        }

        if (bytes.Length > maxBytes)
        {
            throw Reject(SamlFailureReason.TooLarge, "The response exceeds the size limit.");
        }

        return SafeXml.TryLoad(bytes, out var doc) switch
        {
            SafeXml.LoadError.None => doc!,
            SafeXml.LoadError.DtdProhibited => throw Reject(SamlFailureReason.DtdProhibited, "The response contains a DTD, which is not allowed."),
            _ => throw Reject(SamlFailureReason.Malformed, "The response is not well-formed XML."),
        };
    }

    private static void CheckStatus(XmlElement response)
    {
        var status = SafeXml.SingleChild(response, P, "Status")
            ?? throw Reject(SamlFailureReason.Malformed, "The response has no single Status element.");
        var code = SafeXml.SingleChild(status, P, "StatusCode")
            ?? throw Reject(SamlFailureReason.Malformed, "The response Status has no single StatusCode.");
        var value = SafeXml.Attr(code, "Value");
        if (value == SamlConstants.StatusSuccess)
        {
            return;
        }

        // Report the most specific standard code; anything else stays out of logs.
        string? reported = null;
        for (XmlElement? c = code; c is not null; c = SafeXml.SingleChild(c, P, "StatusCode"))
        {
            var v = SafeXml.Attr(c, "Value");
            if (v is not null && KnownStatusCodes.Contains(v))
            {
                reported = v;
            }
        }

        throw new Rejection(SamlFailureReason.StatusNotSuccess, "The IdP did not report success.", reported);
    }

    /// <summary>
    /// Exactly one assertion, plain or encrypted, as a direct child of the Response. An encrypted one is decrypted and
    /// put in place of the EncryptedAssertion, so every later rule (single assertion, signatures, IDs, wrapping)
    /// applies to it unchanged.
    /// </summary>
    /// <returns>The assertion, and whether the Response signature was already verified (over the ciphertext).</returns>
    private static (XmlElement Assertion, bool ResponseSignatureVerified) FindAssertion(XmlDocument doc, XmlElement response, SamlValidationContext ctx)
    {
        var encrypted = doc.GetElementsByTagName("EncryptedAssertion", A);
        if (encrypted.Count == 0)
        {
            if (ctx.Idp.RequireEncryptedAssertions && doc.GetElementsByTagName("Assertion", A).Count > 0)
            {
                throw Reject(SamlFailureReason.EncryptionRequired, "The account accepts encrypted assertions only.");
            }
            return (FindSingleAssertion(doc, response), false);
        }

        // Counted over the whole document, like plain assertions: an encrypted one beside a plain one is two.
        if (encrypted.Count + doc.GetElementsByTagName("Assertion", A).Count != 1)
        {
            throw Reject(SamlFailureReason.AssertionCount, "The response must contain exactly one assertion, plain or encrypted.");
        }
        var encryptedAssertion = (XmlElement)encrypted[0]!;
        if (encryptedAssertion.ParentNode != response)
        {
            throw Reject(SamlFailureReason.AssertionCount, "The encrypted assertion is not a direct child of the response.");
        }

        // A signed Response covers the ciphertext: verified first, a modified ciphertext is refused before any
        // decryption runs (no padding or parse oracle at all). Refused here if there is more than one.
        var responseSignatures = SafeXml.Children(response, Ds, "Signature").ToList();
        if (responseSignatures.Count > 1)
        {
            throw Reject(SamlFailureReason.Malformed, "An element carries more than one signature.");
        }
        if (responseSignatures.Count == 1)
        {
            SignatureVerifier.Verify(doc, response, responseSignatures[0], ctx.Idp);
        }

        switch (AssertionDecryptor.Decrypt(encryptedAssertion, ctx.Sp.DecryptionCertificates, out var decrypted))
        {
            case AssertionDecryptor.Outcome.Decrypted:
                break;
            case AssertionDecryptor.Outcome.Malformed:
                throw Reject(SamlFailureReason.Malformed, "The encrypted assertion is not a single inline EncryptedData.");
            case AssertionDecryptor.Outcome.AlgorithmRefused:
                throw Reject(SamlFailureReason.EncryptionAlgorithmRefused, "The assertion is encrypted with an algorithm that is not accepted.");
            default:
                throw Reject(SamlFailureReason.DecryptionFailed, "The encrypted assertion could not be decrypted.");
        }

        response.ReplaceChild(doc.ImportNode(decrypted!, deep: true), encryptedAssertion);
        return (FindSingleAssertion(doc, response), responseSignatures.Count == 1);
    }

    private static XmlElement FindSingleAssertion(XmlDocument doc, XmlElement response)
    {
        // Only a decrypted assertion can get here with one left: an EncryptedAssertion nested inside it.
        if (doc.GetElementsByTagName("EncryptedAssertion", A).Count > 0)
        {
            throw Reject(SamlFailureReason.AssertionCount, "The response must contain exactly one assertion, plain or encrypted.");
        }

        // Counting every descendant (not just children of Response) defeats signature-wrapping
        // attacks that hide the genuine signed assertion somewhere else next to a forged one.
        var all = doc.GetElementsByTagName("Assertion", A);
        if (all.Count != 1)
        {
            throw Reject(SamlFailureReason.AssertionCount, "The response must contain exactly one assertion.");
        }

        var assertion = (XmlElement)all[0]!;
        if (assertion.ParentNode != response)
        {
            throw Reject(SamlFailureReason.AssertionCount, "The assertion is not a direct child of the response.");
        }

        return assertion;
    }

    /// <param name="responseSignatureVerified">
    /// The Response signature was verified over the EncryptedAssertion before decryption (the document has changed
    /// since, so it cannot be verified again); it still counts for the rules below.
    /// </param>
    private static void VerifySignatures(XmlDocument doc, XmlElement response, XmlElement assertion, IdpConfig idp, bool responseSignatureVerified)
    {
        var responseSignatures = SafeXml.Children(response, Ds, "Signature").ToList();
        var assertionSignatures = SafeXml.Children(assertion, Ds, "Signature").ToList();
        if (responseSignatures.Count > 1 || assertionSignatures.Count > 1)
        {
            throw Reject(SamlFailureReason.Malformed, "An element carries more than one signature.");
        }

        // Signatures anywhere else serve no legitimate purpose and only confuse position-based transforms.
        if (doc.GetElementsByTagName("Signature", Ds).Count != responseSignatures.Count + assertionSignatures.Count)
        {
            throw Reject(SamlFailureReason.Malformed, "The response contains a signature in an unexpected place.");
        }

        if (responseSignatures.Count == 0 && assertionSignatures.Count == 0)
        {
            throw Reject(SamlFailureReason.NotSigned, "Neither the response nor the assertion is signed.");
        }

        // Every signature present must verify; one good signature cannot excuse a bad one.
        if (responseSignatures.Count == 1 && !responseSignatureVerified)
        {
            SignatureVerifier.Verify(doc, response, responseSignatures[0], idp);
        }

        if (assertionSignatures.Count == 1)
        {
            SignatureVerifier.Verify(doc, assertion, assertionSignatures[0], idp);
        }
    }

    private static (SamlIdentity Identity, DateTimeOffset RememberUntil) ReadVerifiedAssertion(XmlElement response, XmlElement assertion, SamlValidationContext ctx)
    {
        var now = ctx.Clock.GetUtcNow();
        var skew = ctx.MaxClockSkew;
        var idp = ctx.Idp;
        var sp = ctx.Sp;

        var assertionId = SafeXml.Attr(assertion, "ID");
        if (string.IsNullOrEmpty(assertionId) || SafeXml.Attr(assertion, "Version") != "2.0")
        {
            throw Reject(SamlFailureReason.Malformed, "The assertion lacks an ID or is not SAML 2.0.");
        }

        // Issuer: optional on the Response, mandatory on the Assertion; both must name the IdP.
        if (SafeXml.CountChildren(response, A, "Issuer") > 1
            || (SafeXml.SingleChild(response, A, "Issuer") is { } responseIssuer && responseIssuer.InnerText.Trim() != idp.EntityId))
        {
            throw Reject(SamlFailureReason.IssuerMismatch, "The response issuer is not the configured IdP.");
        }

        var assertionIssuer = SafeXml.SingleChild(assertion, A, "Issuer");
        if (assertionIssuer is null || assertionIssuer.InnerText.Trim() != idp.EntityId)
        {
            throw Reject(SamlFailureReason.IssuerMismatch, "The assertion issuer is not the configured IdP.");
        }

        // Required always: it binds the message to our ACS (and the IdP sets it whenever it signs the response).
        if (SafeXml.Attr(response, "Destination") != sp.AcsUrl)
        {
            throw Reject(SamlFailureReason.DestinationMismatch, "The response Destination is not this ACS URL.");
        }

        CheckResponseInResponseTo(response, ctx);

        var conditionsNotOnOrAfter = CheckConditions(assertion, sp, now, skew);
        var (nameIdElement, confirmationNotOnOrAfter) = CheckSubject(assertion, ctx, now, skew);
        // After the validity windows, so an expired assertion is reported as expired; this catches the long-lived ones.
        CheckIssueInstant(response, assertion, now, skew);

        var nameId = nameIdElement.InnerText.Trim();
        var nameIdFormat = SafeXml.Attr(nameIdElement, "Format");

        // Profiles §4.1.4.2: a bearer SSO assertion must carry an AuthnStatement.
        var authnStatement = SafeXml.Children(assertion, A, "AuthnStatement").FirstOrDefault()
            ?? throw Reject(SamlFailureReason.Malformed, "The assertion has no AuthnStatement.");
        var sessionIndex = SafeXml.Attr(authnStatement, "SessionIndex");
        // AuthnInstant is required (Core §2.7.2) and cannot lie in the future; how long ago the user authenticated
        // at the IdP is the IdP's session policy (single sign-on reuses that authentication), so no age limit here.
        var authnInstant = SafeXml.Attr(authnStatement, "AuthnInstant") is { } ai ? ParseInstant(ai)
            : throw Reject(SamlFailureReason.Malformed, "The AuthnStatement has no AuthnInstant.");
        if (authnInstant > now + skew)
        {
            throw Reject(SamlFailureReason.NotYetValid, "The authentication lies in the future.");
        }
        var sessionNotOnOrAfter = SafeXml.Attr(authnStatement, "SessionNotOnOrAfter") is { } s ? ParseInstant(s) : (DateTimeOffset?)null;
        if (sessionNotOnOrAfter is { } sessionEnd && now - skew >= sessionEnd)
        {
            throw Reject(SamlFailureReason.Expired, "The IdP session has already ended.");
        }

        var attributes = ReadAttributes(assertion);
        var email = FindEmail(attributes, nameId, nameIdFormat);

        var notOnOrAfter = conditionsNotOnOrAfter is { } c && c < confirmationNotOnOrAfter ? c : confirmationNotOnOrAfter;

        return (new SamlIdentity(idp.EntityId, nameId, nameIdFormat, sessionIndex, attributes, email, notOnOrAfter, sessionNotOnOrAfter, assertionId),
            ReplayDeadline(assertion, skew));
    }

    /// <summary>
    /// Until when the assertion id must be remembered: the latest time bound anywhere in the assertion (Conditions and
    /// every SubjectConfirmationData, not only the confirmation that passed now) plus the skew, so no later check on
    /// any replica can accept it again. Capped by the staleness rule (IssueInstant + <see cref="MaxIssueAge"/>), after
    /// which every check refuses it anyway: a year-long NotOnOrAfter does not keep a Redis key for a year.
    /// </summary>
    internal static DateTimeOffset ReplayDeadline(XmlElement assertion, TimeSpan skew)
    {
        var latest = DateTimeOffset.MinValue;
        if (SafeXml.SingleChild(assertion, A, "Conditions") is { } conditions && SafeXml.Attr(conditions, "NotOnOrAfter") is { } c)
        {
            latest = Max(latest, ParseInstant(c));
        }
        if (SafeXml.SingleChild(assertion, A, "Subject") is { } subject)
        {
            foreach (var confirmation in SafeXml.Children(subject, A, "SubjectConfirmation"))
            {
                if (SafeXml.SingleChild(confirmation, A, "SubjectConfirmationData") is { } data && SafeXml.Attr(data, "NotOnOrAfter") is { } d)
                {
                    latest = Max(latest, ParseInstant(d));
                }
            }
        }
        var staleAt = ParseInstant(SafeXml.Attr(assertion, "IssueInstant")!) + MaxIssueAge;
        return (latest < staleAt ? latest : staleAt) + skew;

        static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    }

    /// <summary>
    /// Both the assertion's (signed) and the response's IssueInstant: not older than <see cref="MaxIssueAge"/> plus the
    /// skew, not in the future. A signed assertion with a far NotOnOrAfter would otherwise work for as long as it says.
    /// </summary>
    private static void CheckIssueInstant(XmlElement response, XmlElement assertion, DateTimeOffset now, TimeSpan skew)
    {
        foreach (var element in new[] { assertion, response })
        {
            var issued = SafeXml.Attr(element, "IssueInstant") is { } value ? ParseInstant(value)
                : throw Reject(SamlFailureReason.Malformed, "An IssueInstant is missing.");
            if (issued < now - MaxIssueAge - skew)
            {
                throw Reject(SamlFailureReason.Stale, "The response was issued too long ago.");
            }
            if (issued > now + skew)
            {
                throw Reject(SamlFailureReason.NotYetValid, "The response was issued in the future.");
            }
        }
    }

    private static void CheckResponseInResponseTo(XmlElement response, SamlValidationContext ctx)
    {
        var inResponseTo = SafeXml.Attr(response, "InResponseTo");
        if (ctx.ExpectedInResponseTo is null)
        {
            // Unsolicited responses are a login-CSRF vector, so they need explicit opt-in,
            // and then must not pretend to answer a request we never made.
            if (!ctx.Idp.AllowIdpInitiated)
            {
                throw Reject(SamlFailureReason.InResponseToMismatch, "No request is outstanding and IdP-initiated login is not allowed.");
            }

            if (inResponseTo is not null)
            {
                throw Reject(SamlFailureReason.InResponseToMismatch, "An unsolicited response must not carry InResponseTo.");
            }
        }
        else if (inResponseTo != ctx.ExpectedInResponseTo)
        {
            throw Reject(SamlFailureReason.InResponseToMismatch, "The response does not answer the outstanding request.");
        }
    }

    /// <returns>Conditions NotOnOrAfter, if present.</returns>
    private static DateTimeOffset? CheckConditions(XmlElement assertion, SpConfig sp, DateTimeOffset now, TimeSpan skew)
    {
        if (SafeXml.CountChildren(assertion, A, "Conditions") > 1)
        {
            throw Reject(SamlFailureReason.Malformed, "The assertion has more than one Conditions element.");
        }

        // The SSO profile requires an audience restriction, so Conditions cannot be absent.
        var conditions = SafeXml.SingleChild(assertion, A, "Conditions")
            ?? throw Reject(SamlFailureReason.AudienceMismatch, "The assertion has no audience restriction.");

        if (SafeXml.Attr(conditions, "NotBefore") is { } nb && now + skew < ParseInstant(nb))
        {
            throw Reject(SamlFailureReason.NotYetValid, "The assertion is not yet valid.");
        }

        DateTimeOffset? notOnOrAfter = null;
        if (SafeXml.Attr(conditions, "NotOnOrAfter") is { } noa)
        {
            notOnOrAfter = ParseInstant(noa);
            if (now - skew >= notOnOrAfter)
            {
                throw Reject(SamlFailureReason.Expired, "The assertion has expired.");
            }
        }

        // Each AudienceRestriction must be satisfied (AND); within one, any Audience may match (OR).
        var restrictions = SafeXml.Children(conditions, A, "AudienceRestriction").ToList();
        if (restrictions.Count == 0
            || !restrictions.All(r => SafeXml.Children(r, A, "Audience").Any(a => a.InnerText.Trim() == sp.EntityId)))
        {
            throw Reject(SamlFailureReason.AudienceMismatch, "The assertion is not addressed to this SP.");
        }

        return notOnOrAfter;
    }

    /// <returns>The NameID element and the NotOnOrAfter of the bearer confirmation that was satisfied.</returns>
    private static (XmlElement NameId, DateTimeOffset NotOnOrAfter) CheckSubject(
        XmlElement assertion, SamlValidationContext ctx, DateTimeOffset now, TimeSpan skew)
    {
        var subject = SafeXml.SingleChild(assertion, A, "Subject")
            ?? throw Reject(SamlFailureReason.MissingSubject, "The assertion has no single Subject.");

        // EncryptedID and BaseID are not supported; a plain NameID is required.
        var nameId = SafeXml.SingleChild(subject, A, "NameID");
        if (nameId is null || string.IsNullOrWhiteSpace(nameId.InnerText))
        {
            throw Reject(SamlFailureReason.MissingSubject, "The assertion subject has no NameID.");
        }

        var bearers = SafeXml.Children(subject, A, "SubjectConfirmation")
            .Where(sc => SafeXml.Attr(sc, "Method") == SamlConstants.BearerMethod)
            .ToList();
        if (bearers.Count == 0)
        {
            throw Reject(SamlFailureReason.MissingSubject, "The assertion has no bearer subject confirmation.");
        }

        // Core §2.4.1: the subject is confirmed if any one confirmation is satisfied.
        Rejection? first = null;
        foreach (var bearer in bearers)
        {
            try
            {
                return (nameId, CheckBearerConfirmation(bearer, ctx, now, skew));
            }
            catch (Rejection r)
            {
                first ??= r;
            }
        }

        throw first!;
    }

    private static DateTimeOffset CheckBearerConfirmation(XmlElement confirmation, SamlValidationContext ctx, DateTimeOffset now, TimeSpan skew)
    {
        var data = SafeXml.SingleChild(confirmation, A, "SubjectConfirmationData")
            ?? throw Reject(SamlFailureReason.RecipientMismatch, "The bearer confirmation has no SubjectConfirmationData.");

        if (SafeXml.Attr(data, "Recipient") != ctx.Sp.AcsUrl)
        {
            throw Reject(SamlFailureReason.RecipientMismatch, "The bearer confirmation Recipient is not this ACS URL.");
        }

        // Profiles §4.1.4.2: bearer confirmation data must bound its lifetime.
        var noa = SafeXml.Attr(data, "NotOnOrAfter")
            ?? throw Reject(SamlFailureReason.Expired, "The bearer confirmation has no NotOnOrAfter.");
        var notOnOrAfter = ParseInstant(noa);
        if (now - skew >= notOnOrAfter)
        {
            throw Reject(SamlFailureReason.Expired, "The bearer confirmation has expired.");
        }

        if (SafeXml.Attr(data, "NotBefore") is { } nb && now + skew < ParseInstant(nb))
        {
            throw Reject(SamlFailureReason.NotYetValid, "The bearer confirmation is not yet valid.");
        }

        // The expected value is null only for permitted IdP-initiated logins, where none may be present.
        if (SafeXml.Attr(data, "InResponseTo") != ctx.ExpectedInResponseTo)
        {
            throw Reject(SamlFailureReason.InResponseToMismatch, "The bearer confirmation does not answer the outstanding request.");
        }

        return notOnOrAfter;
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadAttributes(XmlElement assertion)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var statement in SafeXml.Children(assertion, A, "AttributeStatement"))
        {
            foreach (var attribute in SafeXml.Children(statement, A, "Attribute"))
            {
                var name = SafeXml.Attr(attribute, "Name");
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }

                if (!values.TryGetValue(name, out var list))
                {
                    values[name] = list = [];
                }

                // InnerText joins all text nodes, so comments cannot truncate a value.
                list.AddRange(SafeXml.Children(attribute, A, "AttributeValue").Select(v => v.InnerText.Trim()));
            }
        }

        return values.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.AsReadOnly(), StringComparer.Ordinal);
    }

    private static string? FindEmail(Dictionary<string, IReadOnlyList<string>> attributes, string nameId, string? nameIdFormat)
    {
        foreach (var wanted in EmailAttributeNames)
        {
            foreach (var (name, values) in attributes)
            {
                if (string.Equals(name, wanted, StringComparison.OrdinalIgnoreCase)
                    && values.FirstOrDefault(v => v.Length > 0) is { } value)
                {
                    return value;
                }
            }
        }

        return nameIdFormat == SamlConstants.NameIdFormatEmail ? nameId : null;
    }

    // xs:dateTime as IdPs send it; "K" accepts "Z", an offset, or nothing (read as UTC, which SAML mandates).
    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    internal static DateTimeOffset ParseInstant(string value)
    {
        if (DateTimeOffset.TryParseExact(
                value.Trim(),
                InstantFormats,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var result))
        {
            return result;
        }

        throw Reject(SamlFailureReason.Malformed, "A timestamp in the assertion is not a valid xs:dateTime.");
    }

    private static Rejection Reject(SamlFailureReason reason, string message) => new(reason, message, null);

    /// <summary>Internal control flow only; never escapes <see cref="ValidateAsync"/>.</summary>
    internal sealed class Rejection(SamlFailureReason reason, string message, string? idpStatusCode) : Exception(message)
    {
        public SamlFailureReason Reason { get; } = reason;

        public string? IdpStatusCode { get; } = idpStatusCode;
    }
}
