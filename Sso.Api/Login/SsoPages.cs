using System.Text.Encodings.Web;

namespace AccessPlatform.Sso.Login;

/// <summary>
/// The pages a browser may see from the SAML endpoints, and all their text in one place (English for now; a
/// translation replaces the strings). Refusals are generic on purpose: the reason goes to the audit log only.
/// </summary>
public static class SsoPages
{
    public const string Language = "en";
    public const string UnavailableTitle = "Single sign-on is not available";
    public const string UnavailableText = "Single sign-on is not set up for this address. Please sign in with your username and password, or contact your account manager.";
    public const string RefusedTitle = "Sign-in did not work";
    public const string RefusedText = "We could not sign you in with your company's sign-in service. Please try again, or contact your account manager if this keeps happening.";
    public const string BusyTitle = "Sign-in is not possible right now";
    public const string BusyText = "Please try again in a moment.";
    public const string SignInLink = "Sign in";

    public static IResult Unavailable() => Page(UnavailableTitle, UnavailableText, StatusCodes.Status404NotFound);

    public static IResult Refused() => Page(RefusedTitle, RefusedText, StatusCodes.Status403Forbidden);

    public static IResult Busy() => Page(BusyTitle, BusyText, StatusCodes.Status503ServiceUnavailable);

    private static IResult Page(string title, string text, int status)
    {
        var html = HtmlEncoder.Default;
        return TypedResults.Content(
            $"""
            <!doctype html>
            <html lang="{Language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{html.Encode(title)} · Access Platform</title><link rel="stylesheet" href="/css/site.css"></head>
            <body><header class="top"><a class="brand" href="/">Access Platform</a></header>
            <main><section class="card"><h1>{html.Encode(title)}</h1><p>{html.Encode(text)}</p><p><a href="/login">{html.Encode(SignInLink)}</a></p></section></main></body></html>
            """,
            "text/html; charset=utf-8", statusCode: status);
    }
}
