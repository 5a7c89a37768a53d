using System.Security.Cryptography;
using System.Xml;

namespace Sso.Api.Saml;

/// <summary>How a logout message arrived: the raw query of an HTTP-Redirect GET, or the base64 form field of an HTTP-POST.</summary>
public abstract record LogoutBinding
{
    public sealed record Redirect(string? RawQuery) : LogoutBinding;

    public sealed record Post(string? Base64Message, string? RelayState) : LogoutBinding;
}

/// <summary>What the validator needs besides the message.</summary>
public sealed class LogoutValidationContext
{
    public required IdpConfig Idp { get; init; }

    /// <summary>Our SLO URL: the message's Destination must be exactly this.</summary>
    public required string ExpectedDestination { get; init; }

    /// <summary>For a LogoutResponse: the ID of the LogoutRequest this browser sent (null: none outstanding, refused).</summary>
    public string? ExpectedInResponseTo { get; init; }

    /// <summary>For a LogoutRequest: records its ID until the time given; false when already seen (replay). Must be atomic.</summary>
    public Func<string, DateTimeOffset, CancellationToken, Task<bool>>? TryRememberRequestId { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Cap on the decoded (for HTTP-Redirect: inflated) message.</summary>
    public int MaxMessageBytes { get; init; } = CappedInflater.DefaultMaxBytes;
}

/// <summary>A validated IdP-initiated LogoutRequest: whom to sign out.</summary>
public sealed record ValidLogoutRequest(string Id, string NameId, string? NameIdFormat, IReadOnlyList<string> SessionIndexes, string? RelayState);

/// <summary>A validated LogoutResponse: whether the IdP reports success, and its most specific standard status code.</summary>
public sealed record ValidLogoutResponse(bool Success, string StatusCode, string? RelayState);

public sealed record LogoutValidationResult<T>(T? Message, SamlFailureReason Reason) where T : class
{
    public bool Succeeded => Message is not null;
}

/// <summary>
/// Validates the IdP's single logout messages (SAML core §3.7, bindings §3.4/§3.5) with the ACS's rules: the size cap
/// (and for HTTP-Redirect the inflate cap) and <see cref="SafeXml"/> (no DTD, bounded depth) before anything is read,
/// a signature by a configured IdP certificate (in the query for HTTP-Redirect, enveloped for HTTP-POST) required,
/// Issuer, Destination, IssueInstant age, and for requests the replay cache, for responses InResponseTo.
/// </summary>
public static class LogoutMessageValidator
{
    private const string P = SamlConstants.ProtocolNamespace;
    private const string A = SamlConstants.AssertionNamespace;

    public static async Task<LogoutValidationResult<ValidLogoutRequest>> ValidateRequestAsync(LogoutBinding binding, LogoutValidationContext ctx,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ValidLogoutRequest request;
        DateTimeOffset rememberUntil;
        try
        {
            var (root, relayState) = ReadSigned(binding, RedirectBinding.RequestParameter, "LogoutRequest", ctx);
            rememberUntil = CheckCommon(root, ctx);
            if (SafeXml.Attr(root, "NotOnOrAfter") is { } notOnOrAfter && SamlResponseValidator.ParseInstant(notOnOrAfter) <= ctx.Clock.GetUtcNow() - ctx.MaxClockSkew)
            {
                throw Reject(SamlFailureReason.Expired, "The logout request has expired.");
            }
            if (SafeXml.CountChildren(root, A, "EncryptedID") > 0)
            {
                throw Reject(SamlFailureReason.EncryptedAssertionUnsupported, "Encrypted NameIDs are not supported.");
            }
            var nameIdElement = SafeXml.SingleChild(root, A, "NameID")
                ?? throw Reject(SamlFailureReason.MissingSubject, "The logout request has no single NameID.");
            var nameId = nameIdElement.InnerText.Trim();
            if (nameId.Length is 0 or > 1024)
            {
                throw Reject(SamlFailureReason.MissingSubject, "The logout request's NameID is empty or too long.");
            }
            var indexes = SafeXml.Children(root, P, "SessionIndex").Select(e => e.InnerText.Trim()).Where(i => i.Length > 0).ToList();
            if (indexes.Count > 32 || indexes.Any(i => i.Length > 256))
            {
                throw Reject(SamlFailureReason.Malformed, "Too many or too long SessionIndex elements.");
            }
            request = new ValidLogoutRequest(SafeXml.Attr(root, "ID")!, nameId, SafeXml.Attr(nameIdElement, "Format"), indexes, relayState);
        }
        catch (SamlResponseValidator.Rejection r)
        {
            return new(null, r.Reason);
        }
        catch (Exception e) when (e is XmlException or FormatException)
        {
            return new(null, SamlFailureReason.Malformed);
        }
        catch (CryptographicException)
        {
            return new(null, SamlFailureReason.SignatureInvalid);
        }

        // Last, so that a refused request never consumes an ID.
        if (ctx.TryRememberRequestId is null || !await ctx.TryRememberRequestId(request.Id, rememberUntil, cancellationToken))
        {
            return new(null, SamlFailureReason.Replay);
        }
        return new(request, SamlFailureReason.None);
    }

    public static LogoutValidationResult<ValidLogoutResponse> ValidateResponse(LogoutBinding binding, LogoutValidationContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        try
        {
            var (root, relayState) = ReadSigned(binding, RedirectBinding.ResponseParameter, "LogoutResponse", ctx);
            CheckCommon(root, ctx);
            if (ctx.ExpectedInResponseTo is null || SafeXml.Attr(root, "InResponseTo") != ctx.ExpectedInResponseTo)
            {
                throw Reject(SamlFailureReason.InResponseToMismatch, "The logout response does not answer the request this browser sent.");
            }
            var status = SafeXml.SingleChild(root, P, "Status") is { } s ? SafeXml.SingleChild(s, P, "StatusCode") : null;
            var value = status is null ? null : SafeXml.Attr(status, "Value");
            if (value is null)
            {
                throw Reject(SamlFailureReason.Malformed, "The logout response has no single StatusCode.");
            }
            // The most specific standard code (e.g. PartialLogout under Responder); anything else is not repeated.
            var reported = SamlResponseValidator.KnownStatusCodes.Contains(value) || value == SamlConstants.StatusSuccess ? value : "unknown";
            for (var c = SafeXml.SingleChild(status!, P, "StatusCode"); c is not null; c = SafeXml.SingleChild(c, P, "StatusCode"))
            {
                if (SafeXml.Attr(c, "Value") is { } v && SamlResponseValidator.KnownStatusCodes.Contains(v))
                {
                    reported = v;
                }
            }
            return new(new ValidLogoutResponse(value == SamlConstants.StatusSuccess && reported == value, reported, relayState), SamlFailureReason.None);
        }
        catch (SamlResponseValidator.Rejection r)
        {
            return new(null, r.Reason);
        }
        catch (Exception e) when (e is XmlException or FormatException)
        {
            return new(null, SamlFailureReason.Malformed);
        }
        catch (CryptographicException)
        {
            return new(null, SamlFailureReason.SignatureInvalid);
        }
    }

    /// <summary>The root element, only once its signature verified, and the RelayState.</summary>
    private static (XmlElement Root, string? RelayState) ReadSigned(LogoutBinding binding, string parameter, string rootName, LogoutValidationContext ctx)
    {
        switch (binding)
        {
            case LogoutBinding.Redirect redirect:
            {
                var received = RedirectBinding.Read(redirect.RawQuery, parameter, ctx.Idp, ctx.MaxMessageBytes);
                var root = Load(received.Xml, rootName);
                // The binding carries the signature in the query and none in the XML (bindings §3.4.4.1).
                if (SafeXml.CountChildren(root, SamlConstants.XmlDsigNamespace, "Signature") > 0)
                {
                    throw Reject(SamlFailureReason.Malformed, "An HTTP-Redirect message must not carry an XML signature.");
                }
                return (root, received.RelayState);
            }
            case LogoutBinding.Post post:
            {
                if (string.IsNullOrWhiteSpace(post.Base64Message))
                {
                    throw Reject(SamlFailureReason.Malformed, "The message is empty.");
                }
                if (post.Base64Message.Length > (ctx.MaxMessageBytes / 3 * 4) + (ctx.MaxMessageBytes / 16) + 16)
                {
                    throw Reject(SamlFailureReason.TooLarge, "The message exceeds the size limit.");
                }
                var bytes = Convert.FromBase64String(post.Base64Message);
                if (bytes.Length > ctx.MaxMessageBytes)
                {
                    throw Reject(SamlFailureReason.TooLarge, "The message exceeds the size limit.");
                }
                var root = Load(bytes, rootName);
                var signatures = SafeXml.Children(root, SamlConstants.XmlDsigNamespace, "Signature").ToList();
                if (signatures.Count != 1)
                {
                    throw Reject(signatures.Count == 0 ? SamlFailureReason.NotSigned : SamlFailureReason.Malformed, "The message must carry one signature.");
                }
                SignatureVerifier.Verify(root.OwnerDocument, root, signatures[0], ctx.Idp);
                return (root, post.RelayState);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(binding));
        }
    }

    private static XmlElement Load(byte[] bytes, string rootName)
    {
        var root = SafeXml.TryLoad(bytes, out var doc) switch
        {
            SafeXml.LoadError.None => doc!.DocumentElement!,
            SafeXml.LoadError.DtdProhibited => throw Reject(SamlFailureReason.DtdProhibited, "The message contains a DTD."),
            _ => throw Reject(SamlFailureReason.Malformed, "The message is not well-formed XML."),
        };
        if (root.LocalName != rootName || root.NamespaceURI != P || SafeXml.Attr(root, "Version") != "2.0")
        {
            throw Reject(SamlFailureReason.Malformed, $"The message is not a SAML 2.0 {rootName}.");
        }
        if (SafeXml.Attr(root, "ID") is not { Length: > 0 and <= 256 } id)
        {
            throw Reject(SamlFailureReason.Malformed, "The message has no ID.");
        }
        XmlConvert.VerifyNCName(id);
        return root;
    }

    /// <returns>Until when the message's ID must be remembered: as long as it would pass the age rule.</returns>
    private static DateTimeOffset CheckCommon(XmlElement root, LogoutValidationContext ctx)
    {
        var issuer = SafeXml.SingleChild(root, A, "Issuer")?.InnerText.Trim();
        if (issuer != ctx.Idp.EntityId)
        {
            throw Reject(SamlFailureReason.IssuerMismatch, "The message is not from the configured IdP.");
        }
        // Required here (core §3.2.1 makes it required for signed messages): a message for another SP must not count.
        if (SafeXml.Attr(root, "Destination") != ctx.ExpectedDestination)
        {
            throw Reject(SamlFailureReason.DestinationMismatch, "The message is not addressed to this SLO endpoint.");
        }
        var issued = SafeXml.Attr(root, "IssueInstant") is { } i ? SamlResponseValidator.ParseInstant(i)
            : throw Reject(SamlFailureReason.Malformed, "The message has no IssueInstant.");
        var now = ctx.Clock.GetUtcNow();
        if (issued < now - SamlResponseValidator.MaxIssueAge - ctx.MaxClockSkew)
        {
            throw Reject(SamlFailureReason.Stale, "The message is too old.");
        }
        if (issued > now + ctx.MaxClockSkew)
        {
            throw Reject(SamlFailureReason.NotYetValid, "The message was issued in the future.");
        }
        return issued + SamlResponseValidator.MaxIssueAge + ctx.MaxClockSkew;
    }

    private static SamlResponseValidator.Rejection Reject(SamlFailureReason reason, string message) => new(reason, message, null);
}
