using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Sso.Api.Saml;

namespace Sso.Api.Tests.Saml;

/// <summary>A minimal in-test identity provider: builds SAML responses and signs them like a real IdP would.</summary>
internal static class TestIdp
{
    public const string IdpEntityId = "https://idp.example.test/saml/metadata";
    public const string IdpSsoUrl = "https://idp.example.test/saml/sso";
    public const string SpEntityId = "https://sso.example.test/login/saml/contoso/";
    public const string AcsUrl = SpEntityId + "acs";
    public const string RequestId = "_0123456789abcdef0123456789abcdef";

    public static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    // Key generation is slow, so every test shares these.
    public static readonly X509Certificate2 SigningCertificate = CreateCertificate("CN=Test IdP");
    public static readonly X509Certificate2 AttackerCertificate = CreateCertificate("CN=Attacker");
    public static readonly X509Certificate2 SpCertificate = CreateCertificate("CN=Test SP");

    public static X509Certificate2 CreateCertificate(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
    }

    /// <summary>Public part only, as an administrator would configure it.</summary>
    public static X509Certificate2 PublicOnly(X509Certificate2 cert) => X509CertificateLoader.LoadCertificate(cert.RawData);

    public static IdpConfig IdpConfig(bool allowIdpInitiated = false, bool allowSha1 = false) => new()
    {
        EntityId = IdpEntityId,
        SingleSignOnUrl = IdpSsoUrl,
        SigningCertificates = [PublicOnly(SigningCertificate)],
        AllowIdpInitiated = allowIdpInitiated,
        AllowSha1 = allowSha1,
    };

    public static SpConfig SpConfig() => new(SpEntityId);

    /// <summary>The validator with the in-memory replay store, which completes at once: the tests stay synchronous.</summary>
    public static SamlValidationResult Validate(string? base64, SamlValidationContext ctx) =>
        SamlResponseValidator.ValidateAsync(base64, ctx).GetAwaiter().GetResult();

    public static SamlValidationContext Context(
        IdpConfig? idp = null,
        string? expectedInResponseTo = RequestId,
        DateTimeOffset? now = null,
        ReplayStore? replay = null) => new()
    {
        Idp = idp ?? IdpConfig(),
        Sp = SpConfig(),
        ExpectedInResponseTo = expectedInResponseTo,
        Clock = new FixedClock(now ?? Now),
        TryRememberAssertionId = (replay ?? new ReplayStore()).TryRemember,
    };

    public static XmlDocument BuildResponse(ResponseSpec spec)
    {
        var doc = new XmlDocument { PreserveWhitespace = true };
        doc.LoadXml(ResponseXml(spec));
        return doc;
    }

    public static string ResponseXml(ResponseSpec s)
    {
        static string Esc(string v) => SecurityElement.Escape(v)!;
        static string Opt(string name, string? v) => v is null ? string.Empty : $" {name}=\"{Esc(v)}\"";
        static string T(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

        var attributes = new StringBuilder();
        foreach (var (name, values) in s.Attributes)
        {
            attributes.Append($"<saml:Attribute Name=\"{Esc(name)}\">");
            foreach (var value in values)
            {
                attributes.Append($"<saml:AttributeValue>{Esc(value)}</saml:AttributeValue>");
            }

            attributes.Append("</saml:Attribute>");
        }

        var responseIssuer = s.ResponseIssuer is null ? string.Empty : $"<saml:Issuer>{Esc(s.ResponseIssuer)}</saml:Issuer>";
        var scdNotBefore = s.ConfirmationNotBefore is { } nb ? $" NotBefore=\"{T(nb)}\"" : string.Empty;
        var secondConfirmation = s.SecondConfirmationNotOnOrAfter is { } second
            ? $"<saml:SubjectConfirmation Method=\"{Esc(s.ConfirmationMethod)}\"><saml:SubjectConfirmationData{Opt("InResponseTo", s.ConfirmationInResponseTo)} Recipient=\"{Esc(s.Recipient)}\" NotOnOrAfter=\"{T(second)}\"/></saml:SubjectConfirmation>"
            : string.Empty;
        var sessionNotOnOrAfter = s.SessionNotOnOrAfter is { } session ? $" SessionNotOnOrAfter=\"{T(session)}\"" : string.Empty;

        return
            $"<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{s.ResponseId}\" Version=\"2.0\" IssueInstant=\"{T(s.ResponseIssueInstant ?? s.IssueInstant)}\"{Opt("Destination", s.Destination)}{Opt("InResponseTo", s.InResponseTo)}>" +
            responseIssuer +
            $"<samlp:Status><samlp:StatusCode Value=\"{Esc(s.StatusCode)}\"/></samlp:Status>" +
            $"<saml:Assertion ID=\"{s.AssertionId}\" Version=\"2.0\" IssueInstant=\"{T(s.IssueInstant)}\">" +
            $"<saml:Issuer>{Esc(s.Issuer)}</saml:Issuer>" +
            "<saml:Subject>" +
            $"<saml:NameID Format=\"{Esc(s.NameIdFormat)}\">{Esc(s.NameId)}</saml:NameID>" +
            $"<saml:SubjectConfirmation Method=\"{Esc(s.ConfirmationMethod)}\">" +
            $"<saml:SubjectConfirmationData{Opt("InResponseTo", s.ConfirmationInResponseTo)} Recipient=\"{Esc(s.Recipient)}\" NotOnOrAfter=\"{T(s.ConfirmationNotOnOrAfter)}\"{scdNotBefore}/>" +
            "</saml:SubjectConfirmation>" +
            secondConfirmation +
            "</saml:Subject>" +
            $"<saml:Conditions NotBefore=\"{T(s.NotBefore)}\" NotOnOrAfter=\"{T(s.NotOnOrAfter)}\">" +
            $"<saml:AudienceRestriction><saml:Audience>{Esc(s.Audience)}</saml:Audience></saml:AudienceRestriction>" +
            "</saml:Conditions>" +
            $"<saml:AuthnStatement AuthnInstant=\"{T(s.AuthnInstant ?? s.IssueInstant)}\" SessionIndex=\"{Esc(s.SessionIndex)}\"{sessionNotOnOrAfter}>" +
            "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>" +
            "</saml:AuthnStatement>" +
            (attributes.Length > 0 ? $"<saml:AttributeStatement>{attributes}</saml:AttributeStatement>" : string.Empty) +
            "</saml:Assertion>" +
            "</samlp:Response>";
    }

    public static XmlElement Assertion(XmlDocument doc) =>
        (XmlElement)doc.GetElementsByTagName("Assertion", SamlConstants.AssertionNamespace)[0]!;

    /// <summary>Signs the element with an enveloped signature placed right after its Issuer, as the schema orders it.</summary>
    public static void Sign(
        XmlElement element,
        X509Certificate2? certificate = null,
        string signatureMethod = SamlConstants.RsaSha256,
        string digestMethod = SamlConstants.DigestSha256,
        Transform? canonicalTransform = null,
        string canonicalizationMethod = SamlConstants.ExclusiveC14n)
    {
        certificate ??= SigningCertificate;
        var doc = element.OwnerDocument;
        using var key = certificate.GetRSAPrivateKey()!;
        var signedXml = new SignedXml(doc) { SigningKey = key };
        signedXml.SignedInfo!.CanonicalizationMethod = canonicalizationMethod;
        signedXml.SignedInfo.SignatureMethod = signatureMethod;

        var reference = new Reference("#" + element.GetAttribute("ID")) { DigestMethod = digestMethod };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(canonicalTransform ?? new XmlDsigExcC14NTransform());
        signedXml.AddReference(reference);

        // Real IdPs embed their certificate; the validator must ignore it.
        var keyInfo = new KeyInfo();
        keyInfo.AddClause(new KeyInfoX509Data(certificate));
        signedXml.KeyInfo = keyInfo;

        signedXml.ComputeSignature();
        var signature = doc.ImportNode(signedXml.GetXml(), deep: true);
        var issuer = element["Issuer", SamlConstants.AssertionNamespace];
        if (issuer is null)
        {
            element.PrependChild(signature);
        }
        else
        {
            element.InsertAfter(signature, issuer);
        }
    }

    public static string Encode(XmlDocument doc) => Encode(doc.OuterXml);

    public static string Encode(string xml) => Convert.ToBase64String(Encoding.UTF8.GetBytes(xml));

    /// <summary>The common case: a response whose assertion is signed.</summary>
    public static string SignedAssertionResponse(ResponseSpec? spec = null)
    {
        var doc = BuildResponse(spec ?? new ResponseSpec());
        Sign(Assertion(doc));
        return Encode(doc);
    }
}

internal sealed record ResponseSpec
{
    public string ResponseId { get; init; } = "_r" + Guid.NewGuid().ToString("N");
    public string AssertionId { get; init; } = "_a" + Guid.NewGuid().ToString("N");
    public string? Destination { get; init; } = TestIdp.AcsUrl;
    public string? InResponseTo { get; init; } = TestIdp.RequestId;
    public string? ConfirmationInResponseTo { get; init; } = TestIdp.RequestId;
    public string? ResponseIssuer { get; init; } = TestIdp.IdpEntityId;
    public string Issuer { get; init; } = TestIdp.IdpEntityId;
    public string StatusCode { get; init; } = SamlConstants.StatusSuccess;
    public string Audience { get; init; } = TestIdp.SpEntityId;
    public string Recipient { get; init; } = TestIdp.AcsUrl;
    public string ConfirmationMethod { get; init; } = SamlConstants.BearerMethod;
    public DateTimeOffset IssueInstant { get; init; } = TestIdp.Now;
    public DateTimeOffset NotBefore { get; init; } = TestIdp.Now.AddMinutes(-1);
    public DateTimeOffset NotOnOrAfter { get; init; } = TestIdp.Now.AddMinutes(5);
    public DateTimeOffset ConfirmationNotOnOrAfter { get; init; } = TestIdp.Now.AddMinutes(5);
    public DateTimeOffset? ConfirmationNotBefore { get; init; }
    /// <summary>A second bearer confirmation with this NotOnOrAfter, when set.</summary>
    public DateTimeOffset? SecondConfirmationNotOnOrAfter { get; init; }
    /// <summary>The response's own IssueInstant when it differs from the assertion's.</summary>
    public DateTimeOffset? ResponseIssueInstant { get; init; }
    public DateTimeOffset? AuthnInstant { get; init; }
    public DateTimeOffset? SessionNotOnOrAfter { get; init; }
    public string NameId { get; init; } = "alice@example.com";
    public string NameIdFormat { get; init; } = SamlConstants.NameIdFormatEmail;
    public string SessionIndex { get; init; } = "_session-1";

    public IReadOnlyList<(string Name, string[] Values)> Attributes { get; init; } =
    [
        ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", ["alice@example.com"]),
        ("displayName", ["Alice Example"]),
        ("groups", ["admins", "staff"]),
    ];
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>In-memory stand-in for the distributed assertion-ID cache.</summary>
internal sealed class ReplayStore
{
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, DateTimeOffset> Seen => _seen;

    public Task<bool> TryRemember(string assertionId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Task.FromResult(_seen.TryAdd(assertionId, expiresAt));
}
