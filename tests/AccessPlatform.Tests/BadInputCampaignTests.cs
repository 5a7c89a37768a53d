using System.Text;

namespace AccessPlatform.Tests;

/// <summary>
/// A bad-input campaign through the gateway, as a fuzzer or a careless client would run it: malformed JSON, wrong
/// types, 200 KB bodies (with and without a length), deeply nested JSON, odd Unicode and invalid UTF-8, empty bodies
/// and wrong content types, on every public endpoint, anonymously and with an Account Manager's session. Every answer
/// is ours and a 4xx (never a 5xx, never YARP's 502), and no resource logs anything at Error or above: a client's
/// mistake is not an error of ours.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class BadInputCampaignTests(PlatformFixture platform)
{
    /// <summary>Every public route that takes input (the gateway's routes resolved to the services' endpoints and pages).</summary>
    public static readonly (string Method, string Path)[] PublicEndpoints =
    [
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/second-factor/send"),
        ("POST", "/api/auth/second-factor/verify"),
        ("POST", "/api/auth/second-factor/status"),
        ("POST", "/api/auth/password/forgot"),
        ("POST", "/api/auth/password/reset"),
        ("POST", "/api/auth/authenticator"),
        ("POST", "/api/auth/authenticator/confirm"),
        ("POST", "/api/auth/second-factor/recovery-code"),
        ("POST", "/api/auth/recovery-codes"),
        ("POST", "/api/admin/users/{guid}/second-factors/reset"),
        ("POST", "/api/auth/passkey/options"),
        ("POST", "/api/auth/passkey/login"),
        ("POST", "/api/auth/second-factor/passkey/options"),
        ("POST", "/api/auth/second-factor/passkey/verify"),
        ("POST", "/api/auth/reauthenticate/passkey/options"),
        ("POST", "/api/auth/reauthenticate"),
        ("POST", "/api/account/passkeys/registration/options"),
        ("POST", "/api/account/passkeys"),
        ("PATCH", "/api/account/passkeys/{guid}"),
        ("DELETE", "/api/account/passkeys/{guid}"),
        ("DELETE", "/api/auth/sessions/{id}"),
        ("DELETE", "/api/auth/devices/{guid}"),
        ("POST", "/api/admin/users"),
        ("PATCH", "/api/admin/users/{guid}"),
        ("POST", "/api/admin/users/{guid}/password-reset"),
        ("POST", "/api/admin/users/{guid}/unlock"),
        ("POST", "/api/admin/users/{guid}/sessions/end"),
        ("POST", "/api/admin/users/{guid}/devices/revoke"),
        ("POST", "/api/admin/teams"),
        ("PUT", "/api/admin/teams/{guid}/members/{guid}"),
        ("POST", "/api/admin/notifications/test?channel=%F0%9F%92%A5"),
        ("GET", "/api/admin/users?page=abc&pageSize=-5&team=not-a-guid"),
        ("GET", "/api/admin/audit?from=yesterday&to=%00&page=99999999999"),
        ("GET", "/api/admin/users?sort=%00&direction=sideways&locked=maybe&webAccess=2&search=%E2%80%AE%F0%9F%92%A5&role=%27--"),
        ("GET", "/api/admin/audit/export?from=tomorrow&to=yesterday&userId=not-a-guid&type=%00"),
        ("PUT", "/api/admin/sso"),
        ("POST", "/login"),
        ("POST", "/login-code"),
        ("POST", "/forgot-password"),
        ("POST", "/reset-password"),
        ("GET", "/reset-password?token=%E2%80%AE%00%ff"),
        ("POST", "/language"),
        ("POST", "/logout"),
        ("POST", "/account/sessions"),
        ("POST", "/account/devices"),
        ("POST", "/account/authenticator"),
        ("POST", "/account/recovery-codes"),
        ("POST", "/admin/users/{guid}/second-factors/reset"),
        ("POST", "/account/passkeys?handler=Rename"),
        ("POST", "/account/passkeys?handler=Remove"),
        ("POST", "/login?handler=Passkey"),
        ("POST", "/login-code?handler=Passkey"),
        ("POST", "/admin/users"),
        ("POST", "/admin/users/{guid}"),
        ("POST", "/admin/users/{guid}?handler=Confirm"),
        ("GET", "/admin/users?sort=%00&pageNumber=-1&locked=%E2%80%AE&team=x"),
        ("GET", "/admin/audit?user=%00%E2%80%AE&from=x"),
        ("POST", "/admin/teams"),
        ("POST", "/admin/sso"),
        ("GET", "/login/sso/complete?code=%ZZ"),
        ("POST", "/login/saml/testco/acs"),
        ("GET", "/login/saml/%E2%80%AE%00/"),
    ];

    [Fact]
    public async Task A_bad_input_campaign_on_every_public_endpoint_gets_4xx_answers_and_no_error_in_any_resource_log()
    {
        var manager = await platform.CreateUserAsync("fuzz-mgr", roles: ["AccountManager", "User"]);
        using var login = platform.GatewayClient(new IPAddress([127, 0, 7, 250]), cookies: false, deviceId: null);
        login.DefaultRequestHeaders.Add("Cookie", $"ap_device={platform.TrustedDeviceId}");
        var signedIn = await login.LoginAsync(manager.Username, manager.Password);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var session = LoginTests.SessionId(signedIn);

        var linesBefore = platform.ResourceLogLines.Count;
        var answers = new List<string>();
        var requests = 0;
        var closedEarly = 0;
        byte nextAddress = 1;
        foreach (var (method, template) in PublicEndpoints)
        {
            var path = template.Replace("{guid}", Guid.NewGuid().ToString()).Replace("{id}", "not-a-session");
            foreach (var signedInAs in new[] { null, session })
            {
                // Each endpoint and identity from its own address, so the per-IP limits answer only what they should.
                var subnet = signedInAs is null ? (byte)7 : (byte)8;
                using var client = platform.GatewayClient(new IPAddress([127, 0, subnet, nextAddress]), cookies: false);
                if (signedInAs is not null)
                {
                    client.DefaultRequestHeaders.Add("Cookie", $"ap_session={signedInAs}; ap_device={platform.TrustedDeviceId}");
                }
                foreach (var (name, body) in Payloads())
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body() };
                    HttpResponseMessage response;
                    try
                    {
                        response = await client.SendAsync(request);
                    }
                    catch (HttpRequestException e) when (name.StartsWith("200 KB", StringComparison.Ordinal) && e.InnerException is IOException)
                    {
                        // Kestrel answers 413 and closes the connection as soon as the limit is passed; a client still
                        // writing the rest of an oversized body sees a broken pipe instead of the answer. Refused, not failed.
                        requests++;
                        closedEarly++;
                        continue;
                    }
                    using var answered = response;
                    requests++;
                    var status = (int)response.StatusCode;
                    if (status >= 500)
                    {
                        answers.Add($"{method} {template} [{name}{(signedInAs is null ? "" : ", signed in")}] -> {status}");
                    }
                }
            }
            nextAddress++;
        }
        await Task.Delay(3000); // let the last log lines arrive

        var errors = platform.ResourceLogLines.Skip(linesBefore).Where(PlatformFixture.IsErrorOrAbove).ToList();
        Assert.True(answers.Count == 0 && errors.Count == 0,
            $"{answers.Count} of {requests} answers were 5xx:\n{string.Join('\n', answers)}\n" +
            $"{errors.Count} log lines at Error or above:\n{string.Join('\n', errors.Take(10))}");
        Assert.True(requests > 700, $"the campaign sent only {requests} requests");
        // Only some oversized bodies may be cut off; most must get a real answer.
        Assert.True(closedEarly < requests / 10, $"{closedEarly} of {requests} connections were closed before an answer");
    }

    private static IEnumerable<(string Name, Func<HttpContent?> Body)> Payloads()
    {
        yield return ("malformed json", () => Json("{\"username\": \"a\", \"password\": "));
        yield return ("wrong types", () => Json("""{"username": 5, "password": ["x"], "flowId": {"a": 1}, "code": true, "channel": 7, "name": 1, "roles": "x", "enforced": "yes", "usernameOrEmail": null, "token": 1.5e308}"""));
        yield return ("array instead of object", () => Json("[1, 2, 3]"));
        yield return ("200 KB json", () => Json($"{{\"username\": \"{new string('a', 200 * 1024)}\"}}"));
        yield return ("200 KB chunked", () => new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($"{{\"x\": \"{new string('b', 200 * 1024)}\"}}")))
        {
            Headers = { ContentType = new("application/json") },
        }.WithoutLength());
        yield return ("deeply nested json", () => Json(new string('[', 5000) + new string(']', 5000)));
        yield return ("odd unicode", () => Json("""{"username": "\ud800\u202e\u0000𝔘𝔫𝔦\uFEFF\uDFFF", "password": "\uD83D", "flowId": "\u0000", "code": "１２３４５６", "name": "\u200B"}"""));
        yield return ("invalid utf-8", () => new ByteArrayContent([(byte)'{', (byte)'"', 0xC0, 0xAF, 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'])
        {
            Headers = { ContentType = new("application/json") { CharSet = "utf-8" } },
        });
        yield return ("empty json body", () => Json(""));
        yield return ("no body", () => null);
        yield return ("text/plain", () => new StringContent("""{"username": "a", "password": "b"}""", Encoding.UTF8, "text/plain"));
        yield return ("xml", () => new StringContent("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>", Encoding.UTF8, "application/xml"));
        yield return ("malformed form", () => new StringContent("a=%ZZ&&=&b=%E2%80&SAMLResponse=%%%", Encoding.UTF8, "application/x-www-form-urlencoded"));
        yield return ("200 KB form", () => new StringContent("SAMLResponse=" + new string('A', 200 * 1024), Encoding.ASCII, "application/x-www-form-urlencoded"));
        yield return ("broken multipart", () => new StringContent("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb", Encoding.ASCII, "multipart/form-data"));
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}

internal static class ChunkedContent
{
    /// <summary>Sends the body chunked, without a Content-Length, so only the body limit itself can stop it.</summary>
    public static HttpContent WithoutLength(this HttpContent content)
    {
        var chunked = new ChunkedWrapper(content);
        foreach (var header in content.Headers)
        {
            chunked.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        chunked.Headers.ContentLength = null;
        return chunked;
    }

    private sealed class ChunkedWrapper(HttpContent inner) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => inner.CopyToAsync(stream, context);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
