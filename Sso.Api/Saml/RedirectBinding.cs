using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Sso.Api.Saml;

/// <summary>
/// The HTTP-Redirect binding (SAML bindings §3.4): DEFLATE + base64 in the query, and the signature over the query
/// octets <c>SAMLRequest|SAMLResponse=..&amp;RelayState=..&amp;SigAlg=..</c> in that order. Shared by the AuthnRequest
/// and the logout messages.
/// </summary>
public static class RedirectBinding
{
    public const string RequestParameter = "SAMLRequest";
    public const string ResponseParameter = "SAMLResponse";

    // Bindings §3.4.3: RelayState MUST NOT exceed 80 bytes.
    public const int MaxRelayStateBytes = 80;

    /// <summary>The query (without '?') that carries <paramref name="xml"/>, signed with RSA-SHA256 when a key is given.</summary>
    public static string Encode(string xml, string parameter, string? relayState, X509Certificate2? signingCertificate)
    {
        if (relayState is not null && Encoding.UTF8.GetByteCount(relayState) > MaxRelayStateBytes)
        {
            throw new ArgumentException("RelayState must not exceed 80 bytes.", nameof(relayState));
        }
        var query = new StringBuilder();
        query.Append(parameter).Append('=').Append(Uri.EscapeDataString(Convert.ToBase64String(CappedInflater.Deflate(Encoding.UTF8.GetBytes(xml)))));
        if (!string.IsNullOrEmpty(relayState))
        {
            query.Append("&RelayState=").Append(Uri.EscapeDataString(relayState));
        }
        if (signingCertificate is not null)
        {
            using var key = signingCertificate.GetRSAPrivateKey()
                ?? throw new InvalidOperationException("The SP signing certificate has no RSA private key.");
            query.Append("&SigAlg=").Append(Uri.EscapeDataString(SamlConstants.RsaSha256));
            var signature = key.SignData(Encoding.UTF8.GetBytes(query.ToString()), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            query.Append("&Signature=").Append(Uri.EscapeDataString(Convert.ToBase64String(signature)));
        }
        return query.ToString();
    }

    /// <summary>The URL of <paramref name="location"/> with the query appended (the location may carry its own query).</summary>
    public static string Url(string location, string query) => location + (location.Contains('?') ? '&' : '?') + query;

    /// <summary>A message received by the HTTP-Redirect binding whose query signature verified with a configured IdP certificate.</summary>
    public sealed record Received(byte[] Xml, string? RelayState);

    /// <summary>
    /// Reads the message from the raw query string (the signature covers the octets as sent, so the values are not
    /// re-encoded), verifies the signature with the IdP's certificates only, then inflates with the cap.
    /// </summary>
    /// <exception cref="SamlResponseValidator.Rejection">Unsigned, wrongly signed, too large or malformed.</exception>
    internal static Received Read(string? rawQuery, string parameter, IdpConfig idp, int maxBytes)
    {
        var query = rawQuery is { Length: > 0 } && rawQuery[0] == '?' ? rawQuery[1..] : rawQuery ?? "";
        // Base64 of 64 KiB of DEFLATE output is far below this; longer queries are not worth splitting.
        if (query.Length > 4 * maxBytes)
        {
            throw Reject(SamlFailureReason.TooLarge, "The query exceeds the size limit.");
        }
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            if (name is RequestParameter or ResponseParameter or "RelayState" or "SigAlg" or "Signature" && !raw.TryAdd(name, eq < 0 ? "" : pair[(eq + 1)..]))
            {
                // Two values for one binding parameter: which one was signed would be ambiguous.
                throw Reject(SamlFailureReason.Malformed, "A binding parameter appears twice.");
            }
        }
        if (!raw.TryGetValue(parameter, out var message) || message.Length == 0
            || raw.ContainsKey(parameter == RequestParameter ? ResponseParameter : RequestParameter))
        {
            throw Reject(SamlFailureReason.Malformed, "The message parameter is missing.");
        }
        if (!raw.TryGetValue("SigAlg", out var sigAlgRaw) || !raw.TryGetValue("Signature", out var signatureRaw))
        {
            throw Reject(SamlFailureReason.NotSigned, "The message is not signed.");
        }
        var sigAlg = Uri.UnescapeDataString(sigAlgRaw.Replace('+', ' '));
        var hash = sigAlg switch
        {
            SamlConstants.RsaSha256 => HashAlgorithmName.SHA256,
            SamlConstants.RsaSha384 => HashAlgorithmName.SHA384,
            SamlConstants.RsaSha512 => HashAlgorithmName.SHA512,
            SamlConstants.RsaSha1 when idp.AllowSha1 => HashAlgorithmName.SHA1,
            _ => throw Reject(SamlFailureReason.WeakAlgorithm, "The signature algorithm is not allowed."),
        };
        byte[] signature;
        try
        {
            // UnescapeDataString leaves '+' alone: in base64 it is a digit, not a space.
            signature = Convert.FromBase64String(Uri.UnescapeDataString(signatureRaw));
        }
        catch (FormatException)
        {
            throw Reject(SamlFailureReason.SignatureInvalid, "The signature is not base64.");
        }
        var relayRaw = raw.GetValueOrDefault("RelayState");
        var signed = new StringBuilder().Append(parameter).Append('=').Append(message);
        if (relayRaw is not null)
        {
            signed.Append("&RelayState=").Append(relayRaw);
        }
        signed.Append("&SigAlg=").Append(sigAlgRaw);
        var octets = Encoding.UTF8.GetBytes(signed.ToString());
        var verified = false;
        foreach (var certificate in idp.SigningCertificates)
        {
            using var key = certificate.GetRSAPublicKey();
            if (key is not null && key.VerifyData(octets, signature, hash, RSASignaturePadding.Pkcs1))
            {
                verified = true;
                break;
            }
        }
        if (!verified)
        {
            throw Reject(SamlFailureReason.SignatureInvalid, "The signature does not verify.");
        }

        byte[] compressed;
        try
        {
            compressed = Convert.FromBase64String(Uri.UnescapeDataString(message));
        }
        catch (FormatException)
        {
            throw Reject(SamlFailureReason.Malformed, "The message is not valid base64.");
        }
        return CappedInflater.TryInflate(compressed, out var xml, maxBytes) switch
        {
            CappedInflater.Result.Ok => new Received(xml, relayRaw is null ? null : Uri.UnescapeDataString(relayRaw.Replace('+', ' '))),
            CappedInflater.Result.TooLarge => throw Reject(SamlFailureReason.TooLarge, "The message inflates beyond the size limit."),
            _ => throw Reject(SamlFailureReason.Malformed, "The message is not valid DEFLATE."),
        };
    }

    private static SamlResponseValidator.Rejection Reject(SamlFailureReason reason, string message) => new(reason, message, null);
}
