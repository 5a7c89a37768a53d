using System.Text.Json;
using System.Text.RegularExpressions;

namespace AccessPlatform.Tests;

/// <summary>
/// Secrets never reach a log: a full login with a new device (password, SMS and email codes, session and device ids,
/// the pending-login id) and a password reset (link token, new password) run with known values, then every line every resource wrote and every span attribute of the
/// services are scanned for them.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class SecretLeakTests(PlatformFixture platform)
{
    [Fact]
    public async Task No_password_code_session_id_device_id_or_flow_id_appears_in_any_log_or_span()
    {
        var user = await platform.CreateUserAsync("leak", trustDevice: false, phone: "+385911230066");
        using var client = platform.NewClient(newDevice: true);
        var secrets = new List<string> { user.Password };

        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        secrets.Add(wrong);
        await client.LoginAsync(user.Username, wrong);

        var login = await (await client.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        var flowId = login.GetProperty("flowId").GetString()!;
        secrets.Add(flowId);
        await client.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "sms" });
        var smsCode = SixDigits().Match((await platform.WaitForSmsAsync("+385911230066")).Body!).Value;
        secrets.Add(smsCode);
        var verified = await client.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code = smsCode });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        secrets.AddRange(verified.Headers.GetValues("Set-Cookie")
            .Where(c => c.StartsWith("ap_session=") || c.StartsWith("ap_device_"))
            .Select(c => c.Split(';')[0].Split('=', 2)[1]));
        await client.PostAsync("/api/auth/logout", null);

        // And an emailed code on another device (for a user without a phone: email is offered only to them).
        var mailUser = await platform.CreateUserAsync("leakmail", trustDevice: false);
        secrets.Add(mailUser.Password);
        using var other = platform.NewClient(newDevice: true);
        var second = await (await other.LoginAsync(mailUser.Username, mailUser.Password)).Content.ReadFromJsonAsync<JsonElement>();
        var secondFlow = second.GetProperty("flowId").GetString()!;
        secrets.Add(secondFlow);
        await other.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId = secondFlow, channel = "email" });
        var email = await platform.WaitForEmailAsync(mailUser.Email, m => m.Subject == "Your sign-in code");
        secrets.Add(SixDigits().Match(email.PlainText).Value);

        // And a password reset: the link's token (also opened as the page) and the new password.
        using var resetter = platform.NewClient();
        await resetter.ForgotAsync(user.Username);
        var token = await platform.TakeLinkTokenAsync(user.Email);
        secrets.Add(token);
        await resetter.GetAsync($"/reset-password?token={Uri.EscapeDataString(token)}");
        var newPassword = $"new-password-{Guid.NewGuid():N}";
        secrets.Add(newPassword);
        Assert.True((await resetter.ResetAsync(token, newPassword)).IsSuccessStatusCode);

        await Task.Delay(3000); // let the last log lines arrive
        Assert.Equal(11, secrets.Count);
        var lines = platform.ResourceLogLines.ToList();
        // Span names and attributes of every service are scanned too.
        foreach (var resource in new[] { "gateway", "login-api", "notifications-worker" })
        {
            using var http = platform.ResourceClient(resource);
            var spans = await http.GetFromJsonAsync<SpanRecordView[]>("/testing/spans", PlatformFixture.JsonOptions);
            lines.AddRange(spans!.SelectMany(span => span.Tags.Select(t => $"{span.Name} {t.Key}={t.Value}")));
        }
        Assert.NotEmpty(lines);
        foreach (var secret in secrets)
        {
            // Whole-token match, so a code never "hides" inside a longer number such as a timestamp.
            var pattern = new Regex($@"(?<![\w-]){Regex.Escape(secret)}(?![\w-])");
            var leaks = lines.Where(l => pattern.IsMatch(l)).ToArray();
            Assert.True(leaks.Length == 0, $"a secret reached a log: {leaks.FirstOrDefault()?.Replace(secret, "<secret>")}");
        }
    }

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
