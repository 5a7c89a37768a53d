using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>
/// Decrypts a SAML <c>EncryptedAssertion</c> (XML Encryption 1.1) with the SP's encryption keys. Key transport:
/// RSA-OAEP (<c>xmlenc#rsa-oaep-mgf1p</c>, and <c>xmlenc11#rsa-oaep</c> with SHA-1 or SHA-256 as digest and MGF1);
/// RSA 1.5 is refused (Bleichenbacher). Content: AES-128/256-GCM and AES-128/256-CBC (ADFS, Entra ID).
/// The object model and CBC come from <see cref="EncryptedXml"/>; GCM, which it lacks, is <see cref="AesGcm"/> over
/// the CipherValue IV(12) || ciphertext || tag(16).
/// </summary>
/// <remarks>
/// Padding and parse oracles (Jager and Somorovsky, "How to break XML Encryption", 2011): with CBC an attacker who
/// flips ciphertext bits learns plaintext bytes if the answer (or its timing) tells a bad padding from bad XML or a
/// later error. So every failure after the structure checks is the one <see cref="Outcome.Failed"/>, and the steps are
/// always the same: a key that does not unwrap is replaced by a random one and decryption goes on; CBC is decrypted
/// without padding (EncryptedXml with <see cref="PaddingMode.None"/>), the padding byte is checked without branches,
/// a bad one strips one byte instead, and the result is parsed either way; only then are the checks combined.
/// A Response signature is verified before decryption (see SamlResponseValidator), which makes a modified ciphertext
/// fail before any of this runs.
/// </remarks>
public static class AssertionDecryptor
{
    public const string XencNamespace = "http://www.w3.org/2001/04/xmlenc#";
    public const string Xenc11Namespace = "http://www.w3.org/2009/xmlenc11#";

    public const string Aes128Gcm = Xenc11Namespace + "aes128-gcm";
    public const string Aes256Gcm = Xenc11Namespace + "aes256-gcm";
    public const string Aes128Cbc = XencNamespace + "aes128-cbc";
    public const string Aes256Cbc = XencNamespace + "aes256-cbc";
    public const string RsaOaepMgf1p = XencNamespace + "rsa-oaep-mgf1p";
    public const string RsaOaep = Xenc11Namespace + "rsa-oaep";
    public const string Rsa15 = XencNamespace + "rsa-1_5";
    public const string Mgf1Sha1 = Xenc11Namespace + "mgf1sha1";
    public const string Mgf1Sha256 = Xenc11Namespace + "mgf1sha256";
    private const string ElementType = XencNamespace + "Element";
    private const string Ds = SamlConstants.XmlDsigNamespace;
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    /// <summary>What the SP metadata announces, in order of preference: authenticated GCM first.</summary>
    public static readonly IReadOnlyList<string> AcceptedAlgorithms = [Aes256Gcm, Aes128Gcm, Aes256Cbc, Aes128Cbc, RsaOaep, RsaOaepMgf1p];

    // Content algorithm → key length in bytes.
    private static readonly Dictionary<string, int> ContentKeyLength = new(StringComparer.Ordinal)
    {
        [Aes128Gcm] = 16,
        [Aes256Gcm] = 32,
        [Aes128Cbc] = 16,
        [Aes256Cbc] = 32,
    };

    // An IdP sends one EncryptedKey per recipient key; more than a handful is an attempt to make us work.
    private const int MaxEncryptedKeys = 4;
    private const int GcmNonceLength = 12;
    private const int GcmTagLength = 16;
    private const int AesBlock = 16;

    public enum Outcome
    {
        Decrypted,
        /// <summary>Not an EncryptedData as SAML sends it (structure only; nothing was decrypted).</summary>
        Malformed,
        /// <summary>An algorithm that is not accepted, RSA 1.5 among them (nothing was decrypted).</summary>
        AlgorithmRefused,
        /// <summary>Anything that failed from the key unwrap on: one answer whatever it was.</summary>
        Failed,
    }

    /// <param name="encryptedAssertion">The saml:EncryptedAssertion element, still in the response document.</param>
    /// <param name="keys">The SP's encryption certificates with private keys (current, next, previous).</param>
    /// <param name="assertion">The decrypted saml:Assertion, in its own document parsed with <see cref="SafeXml"/>.</param>
    public static Outcome Decrypt(XmlElement encryptedAssertion, IReadOnlyList<X509Certificate2> keys, out XmlElement? assertion)
    {
        ArgumentNullException.ThrowIfNull(encryptedAssertion);
        ArgumentNullException.ThrowIfNull(keys);
        assertion = null;

        // SAML EncryptedElementType: one EncryptedData, then EncryptedKey elements (Core §2.2.4); nothing else.
        var elements = encryptedAssertion.ChildNodes.OfType<XmlElement>().ToList();
        var dataElements = elements.Where(e => IsXenc(e, "EncryptedData")).ToList();
        var siblingKeys = elements.Where(e => IsXenc(e, "EncryptedKey")).ToList();
        if (dataElements.Count != 1 || elements.Count != 1 + siblingKeys.Count || elements[0] != dataElements[0])
        {
            return Outcome.Malformed;
        }
        var dataElement = dataElements[0];
        if (SafeXml.Attr(dataElement, "Type") is { } type && type != ElementType)
        {
            return Outcome.Malformed;
        }
        // CipherReference would make EncryptedXml fetch a URI: only an inline CipherValue is accepted.
        if (!HasOnlyCipherValue(dataElement))
        {
            return Outcome.Malformed;
        }

        var encryptedData = new EncryptedData();
        try
        {
            encryptedData.LoadXml(dataElement);
        }
        catch (CryptographicException)
        {
            return Outcome.Malformed;
        }
        var contentAlgorithm = encryptedData.EncryptionMethod?.KeyAlgorithm;
        if (contentAlgorithm is null || !ContentKeyLength.TryGetValue(contentAlgorithm, out var keyLength))
        {
            return Outcome.AlgorithmRefused;
        }

        // The content key may travel inside ds:KeyInfo of the EncryptedData or beside it (RetrievalMethod is not followed).
        var keyElements = new List<XmlElement>(siblingKeys);
        if (SafeXml.SingleChild(dataElement, Ds, "KeyInfo") is { } keyInfo)
        {
            keyElements.AddRange(keyInfo.ChildNodes.OfType<XmlElement>().Where(e => IsXenc(e, "EncryptedKey")));
        }
        if (keyElements.Count is 0 or > MaxEncryptedKeys || keyElements.Any(k => !HasOnlyCipherValue(k)))
        {
            return Outcome.Malformed;
        }
        var wrappedKeys = new List<(byte[] CipherValue, RSAEncryptionPadding Padding)>();
        foreach (var keyElement in keyElements)
        {
            var encryptedKey = new EncryptedKey();
            try
            {
                encryptedKey.LoadXml(keyElement);
            }
            catch (CryptographicException)
            {
                return Outcome.Malformed;
            }
            if (KeyTransportPadding(keyElement) is not { } padding)
            {
                return Outcome.AlgorithmRefused;
            }
            wrappedKeys.Add((encryptedKey.CipherData.CipherValue!, padding));
        }

        var contentKey = UnwrapContentKey(wrappedKeys, keys, keyLength);
        var unwrapped = contentKey is not null;
        // From here on: no early return. A key that did not unwrap becomes a random one, so the same steps run.
        contentKey ??= RandomNumberGenerator.GetBytes(keyLength);
        var cipherValue = encryptedData.CipherData.CipherValue!;

        bool decrypted;
        byte[] plaintext;
        if (contentAlgorithm is Aes128Gcm or Aes256Gcm)
        {
            (decrypted, plaintext) = DecryptGcm(contentKey, cipherValue);
        }
        else
        {
            (decrypted, plaintext) = DecryptCbc(encryptedData, contentKey, cipherValue);
        }

        bool parsed;
        XmlElement? candidate;
        try
        {
            parsed = ParseAssertion(plaintext, encryptedAssertion, out candidate);
        }
        catch (Exception e) when (e is XmlException or ArgumentException or InvalidOperationException)
        {
            (parsed, candidate) = (false, null);
        }
        // Combined only now, after every step has run.
        if (unwrapped & decrypted & parsed)
        {
            assertion = candidate;
            return Outcome.Decrypted;
        }
        return Outcome.Failed;
    }

    private static bool IsXenc(XmlElement e, string localName) => e.LocalName == localName && e.NamespaceURI == XencNamespace;

    private static bool HasOnlyCipherValue(XmlElement encrypted) =>
        SafeXml.SingleChild(encrypted, XencNamespace, "CipherData") is { } cipherData
        && cipherData.ChildNodes.OfType<XmlElement>().Count() == 1
        && SafeXml.SingleChild(cipherData, XencNamespace, "CipherValue") is not null;

    /// <summary>
    /// The OAEP parameters of an EncryptedKey, or null when refused: RSA 1.5, OAEPparams (a label, which no IdP sends),
    /// and digest/MGF pairs other than SHA-1/SHA-1 and SHA-256/SHA-256 (.NET's OAEP uses one hash for both).
    /// </summary>
    private static RSAEncryptionPadding? KeyTransportPadding(XmlElement encryptedKey)
    {
        if (SafeXml.SingleChild(encryptedKey, XencNamespace, "EncryptionMethod") is not { } method)
        {
            return null;
        }
        var algorithm = SafeXml.Attr(method, "Algorithm");
        if (SafeXml.Children(method, XencNamespace, "OAEPparams").Any(p => p.InnerText.Trim().Length > 0))
        {
            return null;
        }
        var digest = SafeXml.SingleChild(method, Ds, "DigestMethod") is { } d ? SafeXml.Attr(d, "Algorithm") : SamlConstants.DigestSha1;
        switch (algorithm)
        {
            case RsaOaepMgf1p:
                // MGF1 with SHA-1 is fixed by this URI, so only a SHA-1 digest pairs with it.
                return digest == SamlConstants.DigestSha1 ? RSAEncryptionPadding.OaepSHA1 : null;
            case RsaOaep:
                var mgf = SafeXml.SingleChild(method, Xenc11Namespace, "MGF") is { } m ? SafeXml.Attr(m, "Algorithm") : Mgf1Sha1;
                return (digest, mgf) switch
                {
                    (SamlConstants.DigestSha1, Mgf1Sha1) => RSAEncryptionPadding.OaepSHA1,
                    (SamlConstants.DigestSha256, Mgf1Sha256) => RSAEncryptionPadding.OaepSHA256,
                    _ => null,
                };
            default:
                // RSA 1.5 (rsa-1_5) and anything unknown.
                return null;
        }
    }

    private static byte[]? UnwrapContentKey(List<(byte[] CipherValue, RSAEncryptionPadding Padding)> wrappedKeys,
        IReadOnlyList<X509Certificate2> keys, int keyLength)
    {
        foreach (var (cipherValue, padding) in wrappedKeys)
        {
            foreach (var certificate in keys)
            {
                using var rsa = certificate.GetRSAPrivateKey();
                if (rsa is null)
                {
                    continue;
                }
                try
                {
                    var key = padding == RSAEncryptionPadding.OaepSHA1
                        ? EncryptedXml.DecryptKey(cipherValue, rsa, useOAEP: true)
                        : rsa.Decrypt(cipherValue, padding);
                    if (key.Length == keyLength)
                    {
                        return key;
                    }
                }
                catch (CryptographicException)
                {
                    // Not this key (or not this recipient): try the next.
                }
            }
        }
        return null;
    }

    private static (bool Ok, byte[] Plaintext) DecryptGcm(byte[] key, byte[] cipherValue)
    {
        // Authenticated: the tag is checked before any plaintext exists, so there is no oracle to hide here.
        if (cipherValue.Length < GcmNonceLength + GcmTagLength)
        {
            return (false, []);
        }
        var nonce = cipherValue.AsSpan(0, GcmNonceLength);
        var tag = cipherValue.AsSpan(cipherValue.Length - GcmTagLength);
        var ciphertext = cipherValue.AsSpan(GcmNonceLength, cipherValue.Length - GcmNonceLength - GcmTagLength);
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, GcmTagLength);
            aes.Decrypt(nonce, ciphertext, tag, plaintext);
            return (true, plaintext);
        }
        catch (CryptographicException)
        {
            return (false, []);
        }
    }

    private static (bool Ok, byte[] Plaintext) DecryptCbc(EncryptedData encryptedData, byte[] key, byte[] cipherValue)
    {
        // IV || at least one block; the length is the attacker's own choice, so refusing it early tells nothing.
        if (cipherValue.Length < 2 * AesBlock || cipherValue.Length % AesBlock != 0)
        {
            return (false, []);
        }
        byte[] raw;
        using (var aes = Aes.Create())
        {
            aes.Key = key;
            // No padding check inside: XML Encryption padding (only the last byte counts) is checked below.
            var encryptedXml = new EncryptedXml { Mode = CipherMode.CBC, Padding = PaddingMode.None };
            raw = encryptedXml.DecryptData(encryptedData, aes);
        }
        // Last byte = padding length, valid in 1..16; the other padding bytes are arbitrary (XML Enc 1.1 §5.2).
        // Without branches: a bad value strips 1 byte instead, and the outcome is known only to the caller's final check.
        int padding = raw[^1];
        var invalid = ((padding - 1) | (AesBlock - padding)) >> 31; // -1 when out of range, else 0
        var strip = (padding & ~invalid) | (1 & invalid);
        return (invalid == 0, raw[..^strip]);
    }

    /// <summary>
    /// The plaintext with the same safe settings as the response (no DTD, depth cap), in the namespace context of the
    /// EncryptedAssertion: an IdP may serialize the Assertion relying on prefixes declared by the Response.
    /// </summary>
    private static bool ParseAssertion(byte[] plaintext, XmlElement context, out XmlElement? assertion)
    {
        assertion = null;
        var namespaces = InScopeNamespaces(context);
        if (SafeXml.TryLoad(plaintext, out var document, namespaces) != SafeXml.LoadError.None || document?.DocumentElement is not { } root)
        {
            return false;
        }
        if (root.LocalName != "Assertion" || root.NamespaceURI != SamlConstants.AssertionNamespace)
        {
            return false;
        }
        // Declared on the element itself, so the assertion stays self-contained when it replaces the EncryptedAssertion.
        foreach (var (prefix, uri) in namespaces)
        {
            var name = prefix.Length == 0 ? "xmlns" : "xmlns:" + prefix;
            if (root.GetAttributeNode(name) is null && InScopeNamespace(root, prefix) is null)
            {
                var declaration = prefix.Length == 0
                    ? root.OwnerDocument.CreateAttribute("", "xmlns", XmlnsNamespace)
                    : root.OwnerDocument.CreateAttribute("xmlns", prefix, XmlnsNamespace);
                declaration.Value = uri;
                root.Attributes.Append(declaration);
            }
        }
        assertion = root;
        return true;
    }

    /// <summary>Every namespace declared on the element or an ancestor (the nearest declaration of a prefix wins).</summary>
    internal static IReadOnlyList<(string Prefix, string Uri)> InScopeNamespaces(XmlElement element)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        for (XmlNode? node = element; node is XmlElement e; node = e.ParentNode)
        {
            foreach (XmlAttribute attribute in e.Attributes)
            {
                if (attribute.NamespaceURI == XmlnsNamespace && attribute.Value.Length > 0)
                {
                    var prefix = attribute.Prefix == "xmlns" ? attribute.LocalName : "";
                    found.TryAdd(prefix, attribute.Value);
                }
            }
        }
        return [.. found.Select(kv => (kv.Key, kv.Value))];
    }

    private static string? InScopeNamespace(XmlElement element, string prefix)
    {
        var name = prefix.Length == 0 ? "xmlns" : "xmlns:" + prefix;
        for (XmlNode? node = element; node is XmlElement e; node = e.ParentNode)
        {
            if (e.GetAttributeNode(name) is { } declaration)
            {
                return declaration.Value;
            }
        }
        return null;
    }
}
