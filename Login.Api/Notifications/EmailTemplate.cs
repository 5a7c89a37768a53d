using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace AccessPlatform.Login.Notifications;

/// <summary>A one-time code inside an email's arguments: the HTML part shows it large and selectable.</summary>
public sealed record EmailCode(string Value)
{
    public override string ToString() => Value;
}

/// <summary>A link inside an email: its button label (already localized) and where it goes.</summary>
public sealed record EmailLink(Uri Url, string Label)
{
    public override string ToString() => Url.AbsoluteUri;
}

/// <summary>What the layout around every message says, already in the recipient's language.</summary>
public sealed record EmailChrome(string Reason, string LinkHint, string CodeLabel, string Automatic, string ContactLabel, Uri ContactUrl);

/// <summary>
/// The one layout of every email the platform sends, as text and HTML from the same localized message format and
/// arguments. Every literal and every argument is HTML-encoded (a device label or display name is the sender's to
/// choose); links become a button plus the plain address, a code is shown large. Inline styles carry the look (mail
/// clients drop style sheets); the one &lt;style&gt; only adds a dark variant, no images.
/// </summary>
public static partial class EmailTemplate
{
    public const string PlatformName = "Access Platform";

    /// <summary>Plain text: the message, why it was sent, and the contact line, each paragraph as the HTML part shows it.</summary>
    public static string Text(string format, object?[] arguments, EmailChrome chrome, CultureInfo culture)
    {
        var text = new StringBuilder(string.Format(culture, format, arguments).TrimEnd());
        text.Append("\n\n").Append(chrome.Reason);
        text.Append("\n\n").Append(PlatformName).Append(" · ").Append(chrome.Automatic);
        text.Append('\n').Append(chrome.ContactLabel).Append(": ").Append(chrome.ContactUrl.AbsoluteUri);
        return text.ToString();
    }

    public static string Html(string language, string subject, string format, object?[] arguments, EmailChrome chrome, CultureInfo culture)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"").Append(Encode(language)).Append("\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"supported-color-schemes\" content=\"light dark\">")
            .Append("<title>").Append(Encode(subject)).Append("</title><style>").Append(DarkMode).Append("</style></head>")
            .Append("<body class=\"ap-bg\" style=\"").Append(Styles.Body).Append("\">")
            .Append("<div class=\"ap-bg\" style=\"").Append(Styles.Outer).Append("\">")
            .Append("<div class=\"ap-card\" style=\"").Append(Styles.Card).Append("\">")
            .Append("<p class=\"ap-brand\" style=\"").Append(Styles.Brand).Append("\">").Append(PlatformName).Append("</p>")
            .Append("<h1 style=\"").Append(Styles.Heading).Append("\">").Append(Encode(subject)).Append("</h1>");
        foreach (var paragraph in Paragraphs(format))
        {
            AppendParagraph(html, paragraph, arguments, chrome, culture);
        }
        html.Append("<p class=\"ap-muted\" style=\"").Append(Styles.Reason).Append("\">").Append(Encode(chrome.Reason)).Append("</p>")
            .Append("</div>")
            .Append("<p class=\"ap-muted\" style=\"").Append(Styles.Footer).Append("\">").Append(PlatformName).Append(" · ").Append(Encode(chrome.Automatic))
            .Append("<br>").Append(Encode(chrome.ContactLabel)).Append(": <a style=\"").Append(Styles.Link).Append("\" href=\"")
            .Append(Encode(chrome.ContactUrl.AbsoluteUri)).Append("\">").Append(Encode(chrome.ContactUrl.AbsoluteUri)).Append("</a></p>")
            .Append("</div></body></html>");
        return html.ToString();
    }

    /// <summary>A paragraph of the message; after it, a big box for its code and a button per link it holds.</summary>
    private static void AppendParagraph(StringBuilder html, string paragraph, object?[] arguments, EmailChrome chrome, CultureInfo culture)
    {
        var codes = new List<EmailCode>();
        var links = new List<EmailLink>();
        // A paragraph that is only a link: the button and the plain address below it say it all.
        if (Placeholder().Match(paragraph) is { Success: true } only && only.Length == paragraph.Length
            && arguments[int.Parse(only.Groups["index"].Value, CultureInfo.InvariantCulture)] is EmailLink alone)
        {
            AppendButton(html, alone, chrome);
            return;
        }
        html.Append("<p style=\"").Append(Styles.Paragraph).Append("\">");
        var position = 0;
        foreach (Match placeholder in Placeholder().Matches(paragraph))
        {
            html.Append(EncodeLiteral(paragraph[position..placeholder.Index]));
            position = placeholder.Index + placeholder.Length;
            var index = int.Parse(placeholder.Groups["index"].Value, CultureInfo.InvariantCulture);
            var argument = arguments[index];
            switch (argument)
            {
                case EmailLink link:
                    links.Add(link);
                    html.Append("<a style=\"").Append(Styles.Link).Append("\" href=\"").Append(Encode(link.Url.AbsoluteUri)).Append("\">")
                        .Append(Encode(link.Url.AbsoluteUri)).Append("</a>");
                    break;
                case EmailCode code:
                    codes.Add(code);
                    html.Append("<strong>").Append(Encode(code.Value)).Append("</strong>");
                    break;
                default:
                    // The placeholder with its alignment and format, applied by the framework to this one argument.
                    var formatted = string.Format(culture, "{0" + placeholder.Groups["rest"].Value + "}", argument);
                    html.Append(EncodeLiteral(formatted));
                    break;
            }
        }
        html.Append(EncodeLiteral(paragraph[position..])).Append("</p>");
        foreach (var code in codes)
        {
            html.Append("<p style=\"").Append(Styles.Paragraph).Append("\"><span class=\"ap-muted\" style=\"").Append(Styles.CodeLabel).Append("\">")
                .Append(Encode(chrome.CodeLabel)).Append("</span><br><span class=\"ap-code\" style=\"").Append(Styles.Code).Append("\">")
                .Append(Encode(code.Value)).Append("</span></p>");
        }
        foreach (var link in links)
        {
            AppendButton(html, link, chrome);
        }
    }

    private static void AppendButton(StringBuilder html, EmailLink link, EmailChrome chrome) =>
        html.Append("<p style=\"").Append(Styles.Paragraph).Append("\"><a class=\"ap-button\" style=\"").Append(Styles.Button)
            .Append("\" href=\"").Append(Encode(link.Url.AbsoluteUri)).Append("\">").Append(Encode(link.Label)).Append("</a></p>")
            .Append("<p class=\"ap-muted\" style=\"").Append(Styles.Hint).Append("\">").Append(Encode(chrome.LinkHint))
            .Append("<br><span style=\"").Append(Styles.Url).Append("\">").Append(Encode(link.Url.AbsoluteUri)).Append("</span></p>");

    /// <summary>Paragraphs are separated by an empty line, as in the text part.</summary>
    private static IEnumerable<string> Paragraphs(string format) =>
        format.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Literal text of a format: escaped braces undone, encoded, single line breaks kept.</summary>
    private static string EncodeLiteral(string literal) =>
        Encode(literal.Replace("{{", "{").Replace("}}", "}")).Replace("\n", "<br>");

    private static string Encode(string value) => WebUtility.HtmlEncode(value);

    [GeneratedRegex(@"(?<!\{)\{(?<index>\d+)(?<rest>[,:][^}]*)?\}")]
    private static partial Regex Placeholder();

    private const string DarkMode =
        "@media (prefers-color-scheme: dark){" +
        ".ap-bg{background:#0f172a !important;color:#e2e8f0 !important}" +
        ".ap-card{background:#1e293b !important;color:#e2e8f0 !important}" +
        ".ap-card a,.ap-muted a{color:#93c5fd !important}" +
        ".ap-brand{color:#93c5fd !important}" +
        ".ap-muted{color:#cbd5e1 !important}" +
        ".ap-code{background:#0f172a !important;color:#f8fafc !important;border-color:#64748b !important}" +
        ".ap-card a.ap-button{background:#93c5fd !important;color:#0f172a !important}}";

    /// <summary>The light look, inline: what every client shows.</summary>
    private static class Styles
    {
        private const string Font = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";
        public const string Body = "margin:0;padding:0;background:#f1f5f9;color:#0f172a;" + Font;
        public const string Outer = "background:#f1f5f9;padding:24px 12px;" + Font;
        public const string Card = "max-width:560px;margin:0 auto;background:#ffffff;color:#0f172a;border-radius:8px;padding:24px;border:1px solid #e2e8f0;";
        public const string Brand = "margin:0 0 16px;font-size:14px;font-weight:700;letter-spacing:0.5px;color:#1d4ed8;";
        public const string Heading = "margin:0 0 16px;font-size:20px;line-height:1.3;";
        public const string Paragraph = "margin:0 0 16px;font-size:16px;line-height:1.5;overflow-wrap:anywhere;";
        public const string Link = "color:#1d4ed8;text-decoration:underline;overflow-wrap:anywhere;";
        public const string Button = "display:inline-block;background:#1d4ed8;color:#ffffff;text-decoration:none;font-weight:700;padding:12px 20px;border-radius:6px;";
        public const string Hint = "margin:0 0 16px;font-size:13px;line-height:1.5;color:#475569;";
        public const string Url = "overflow-wrap:anywhere;word-break:break-all;";
        public const string CodeLabel = "font-size:13px;color:#475569;";
        public const string Code = "display:inline-block;margin-top:4px;padding:8px 16px;font-family:Consolas,'Courier New',monospace;font-size:32px;font-weight:700;letter-spacing:6px;border:1px solid #cbd5e1;border-radius:6px;background:#f8fafc;color:#0f172a;user-select:all;-webkit-user-select:all;";
        public const string Reason = "margin:24px 0 0;padding-top:16px;border-top:1px solid #e2e8f0;font-size:13px;line-height:1.5;color:#475569;";
        public const string Footer = "max-width:560px;margin:16px auto 0;font-size:12px;line-height:1.5;color:#475569;text-align:center;";
    }
}
