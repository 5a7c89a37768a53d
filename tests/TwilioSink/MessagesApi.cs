using System.Net;
using System.Text;
using Microsoft.Extensions.Options;

namespace AccessPlatform.TwilioSink;

public static class MessagesApi
{
    /// <summary>Twilio's magic test number for "invalid To": answers 400 with error 21211, as Twilio does.</summary>
    public const string InvalidNumber = "+15005550001";

    public static IEndpointRouteBuilder MapTwilioMessagesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/2010-04-01/Accounts/{accountSid}/Messages.json", CreateMessage).DisableAntiforgery();
        app.MapGet("/api/messages", (SmsStore store) => TypedResults.Ok(store.All));
        app.MapDelete("/api/messages", (SmsStore store) => { store.Clear(); return TypedResults.NoContent(); });
        app.MapPost("/api/faults", (Fault fault, SmsStore store) => { store.Inject(fault); return TypedResults.NoContent(); });
        app.MapGet("/", (SmsStore store) => TypedResults.Content(Page(store.All), "text/html; charset=utf-8"));
        return app;
    }

    private static async Task<IResult> CreateMessage(string accountSid, HttpRequest request, SmsStore store, IOptions<SinkOptions> options)
    {
        var form = await request.ReadFormAsync();
        var (user, authenticated) = CheckBasicAuth(request, options.Value);
        var sid = "SM" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var status = !authenticated ? 401
            : store.TakeFault(form["To"]) is { } fault ? fault.Status
            : form["To"] == InvalidNumber ? 400
            : 201;
        store.Add(new ReceivedSms(sid, accountSid, form["To"], form["From"], form["MessagingServiceSid"], form["Body"], user, authenticated,
            DateTimeOffset.UtcNow, status));
        return status switch
        {
            201 => TypedResults.Json(new
            {
                sid,
                account_sid = accountSid,
                to = form["To"].ToString(),
                from = form["From"].ToString(),
                messaging_service_sid = form["MessagingServiceSid"].ToString(),
                body = form["Body"].ToString(),
                status = "queued",
                direction = "outbound-api",
                api_version = "2010-04-01",
                num_segments = "1",
                date_created = DateTimeOffset.UtcNow.ToString("r"),
                uri = $"/2010-04-01/Accounts/{accountSid}/Messages/{sid}.json",
            }, statusCode: 201),
            401 => TwilioError(401, 20003, "Authenticate"),
            400 => TwilioError(400, 21211, "The 'To' number is not a valid phone number."),
            var other => TwilioError(other, other == 429 ? 20429 : 20500, "Injected fault"),
        };
    }

    private static IResult TwilioError(int status, int code, string message) =>
        TypedResults.Json(new { code, message, more_info = $"https://www.twilio.com/docs/errors/{code}", status }, statusCode: status);

    private static (string? User, bool Authenticated) CheckBasicAuth(HttpRequest request, SinkOptions options)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return (null, false);
        }
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
            var colon = pair.IndexOf(':');
            var user = colon < 0 ? pair : pair[..colon];
            return (user, colon > 0 && user == options.AccountSid && pair[(colon + 1)..] == options.AuthToken);
        }
        catch (FormatException)
        {
            return (null, false);
        }
    }

    private static string Page(IReadOnlyList<ReceivedSms> messages)
    {
        var rows = new StringBuilder();
        foreach (var m in messages.Reverse())
        {
            rows.Append($"<tr><td>{m.ReceivedAt:u}</td><td>{E(m.To)}</td><td>{E(m.From ?? m.MessagingServiceSid)}</td><td>{m.Status}</td><td><pre>{E(m.Body)}</pre></td></tr>");
        }
        return $"""
            <!doctype html><html><head><meta charset="utf-8"><title>SMS sink</title>
            <meta http-equiv="refresh" content="5">
            <style>body{"{"}font-family:system-ui;margin:2rem{"}"}td,th{"{"}border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top{"}"}pre{"{"}margin:0;white-space:pre-wrap{"}"}</style></head>
            <body><h1>SMS sent through the Twilio API (dev)</h1><table><tr><th>Received</th><th>To</th><th>From</th><th>Status</th><th>Body</th></tr>{rows}</table></body></html>
            """;
    }

    private static string E(string? value) => WebUtility.HtmlEncode(value ?? "");
}
