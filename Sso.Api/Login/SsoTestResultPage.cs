using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using AccessPlatform.Contracts;
using Microsoft.Extensions.Localization;
using Sso.Api.Saml;

namespace AccessPlatform.Sso.Login;

/// <summary>What the asserted attributes map to: the email and the given and family name Login.Api would use.</summary>
public sealed record TestMapping(string? Email, string? GivenName, string? FamilyName);

/// <summary>
/// The result page of a "Test sign-in" (texts <c>Test_*</c> in Resources/SsoResource*.resx): the validation result in
/// words, the NameID and its format, the attributes and how they map, and which user it would sign in as, with the
/// reason code when refused. Unlike the login's refusal page it names the reason: only the Account Manager who
/// started the test sees it (the test flag lives in their encrypted pending-request cookie).
/// </summary>
public static class SsoTestResultPage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static IResult Render(HttpContext http, string? samlFailure, SamlIdentity? identity, TestMapping? mapping, SsoTestSignInResult outcome)
    {
        var t = http.RequestServices.GetRequiredService<IStringLocalizer<SsoResource>>();
        string E(string s) => Html.Encode(s);
        var language = CultureInfo.CurrentUICulture.Name is { Length: > 0 } name ? name : "en";
        var body = new StringBuilder();
        body.Append($"<h1>{E(t["Test_Title"])}</h1><p class=\"notice\" role=\"status\">{E(t["Test_NoSession"])}</p>");
        if (samlFailure is not null)
        {
            body.Append($"<h2>{E(t["Test_Validation"])}</h2><p id=\"test-validation\" data-valid=\"false\" class=\"error\">{E(t["Test_Invalid", t["Test_Why_" + Category(samlFailure)].Value])}</p>");
            body.Append($"<p>{E(t["Test_ReasonCode"])} <code id=\"test-reason\">{E(samlFailure)}</code></p>");
        }
        else if (identity is not null && mapping is not null)
        {
            body.Append($"<h2>{E(t["Test_Validation"])}</h2><p id=\"test-validation\" data-valid=\"true\">{E(t["Test_Valid"])}</p>");
            body.Append($"<h2>{E(t["Test_Subject"])}</h2><dl><dt>{E(t["Test_NameId"])}</dt><dd><code id=\"test-name-id\">{E(identity.NameId)}</code></dd>");
            body.Append($"<dt>{E(t["Test_NameIdFormat"])}</dt><dd><code id=\"test-name-id-format\">{E(identity.NameIdFormat ?? t["Test_NotSent"])}</code></dd></dl>");
            body.Append($"<h2>{E(t["Test_Attributes"])}</h2>");
            if (identity.Attributes.Count == 0)
            {
                body.Append($"<p>{E(t["Test_NoAttributes"])}</p>");
            }
            else
            {
                body.Append($"<table id=\"test-attributes\"><thead><tr><th scope=\"col\">{E(t["Test_AttrName"])}</th><th scope=\"col\">{E(t["Test_AttrValues"])}</th></tr></thead><tbody>");
                foreach (var (attribute, values) in identity.Attributes.Take(50))
                {
                    body.Append($"<tr><td><code>{E(attribute)}</code></td><td>{E(string.Join(", ", values.Take(10)))}</td></tr>");
                }
                body.Append("</tbody></table>");
            }
            body.Append($"<h2>{E(t["Test_Mapping"])}</h2><dl id=\"test-mapping\">");
            foreach (var (key, value, id) in new[] { ("Test_Email", mapping.Email, "email"), ("Test_GivenName", mapping.GivenName, "given-name"), ("Test_FamilyName", mapping.FamilyName, "family-name") })
            {
                body.Append($"<dt>{E(t[key])}</dt><dd id=\"test-map-{id}\">{E(value ?? t["Test_NotSent"])}</dd>");
            }
            body.Append("</dl>");
        }
        body.Append($"<h2>{E(t["Test_User"])}</h2><p id=\"test-outcome\" data-outcome=\"{E(outcome.Outcome)}\">");
        body.Append(outcome.Outcome == "refused"
            ? E(t["Test_Outcome_refused", outcome.Reason ?? "refused"])
            : E(t["Test_Outcome_" + outcome.Outcome, outcome.Username ?? ""]));
        body.Append("</p>");
        if (outcome.Outcome == "refused" && outcome.Username is { } refusedUser)
        {
            body.Append($"<p>{E(t["Test_RefusedUser", refusedUser])}</p>");
        }
        body.Append($"<p><a href=\"/admin/sso\">{E(t["Test_Back"])}</a></p>");
        return TypedResults.Content(
            $"""
            <!doctype html>
            <html lang="{E(language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>{E(t["Test_Title"])} · Access Platform</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><header class="top"><a class="brand" href="/">Access Platform</a></header>
            <main><section class="card wide">{body}</section></main></body></html>
            """,
            "text/html; charset=utf-8", statusCode: StatusCodes.Status200OK);
    }

    /// <summary>The validator's reasons in six groups an Account Manager can act on.</summary>
    public static string Category(string reasonCode) => reasonCode switch
    {
        "saml-not-signed" or "saml-signature-invalid" or "saml-untrusted-certificate" or "saml-weak-algorithm" or "saml-reference-mismatch"
            or "saml-duplicate-id" or "saml-bad-transform" => "signature",
        "saml-expired" or "saml-not-yet-valid" or "saml-stale" => "time",
        "saml-issuer-mismatch" or "saml-audience-mismatch" or "saml-destination-mismatch" or "saml-recipient-mismatch"
            or "saml-in-response-to-mismatch" => "address",
        "saml-replay" => "replay",
        "saml-status-not-success" => "status",
        _ => "format",
    };
}
