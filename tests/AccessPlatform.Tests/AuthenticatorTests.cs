using System.Text.Json;
using OtpNet;

namespace AccessPlatform.Tests;

/// <summary>The authenticator app as a third channel (RFC 6238), each code usable once (ASVS 6.5.1).</summary>
[Collection(PlatformCollection.Name)]
public sealed class AuthenticatorTests(PlatformFixture platform)
{
    [Fact]
    public async Task An_enrolled_authenticator_completes_a_new_device_login_and_its_code_works_only_once()
    {
        var user = await platform.CreateUserAsync("totp", phone: "+385911230044");
        using var account = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await account.LoginAsync(user.Username, user.Password)).StatusCode);
        var enrolment = await (await account.PostAsync("/api/auth/authenticator", null)).Content.ReadFromJsonAsync<JsonElement>();
        var secret = enrolment.GetProperty("secret").GetString()!;
        Assert.StartsWith("otpauth://totp/", enrolment.GetProperty("otpAuthUri").GetString());
        var totp = new Totp(Base32Encoding.ToBytes(secret));

        Assert.Equal(HttpStatusCode.BadRequest, (await account.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = "000000" == totp.ComputeTotp() ? "111111" : "000000" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await account.PostAsJsonAsync("/api/auth/authenticator/confirm", new { code = totp.ComputeTotp() })).StatusCode);

        // A new device now offers only the app: the strongest factor the user has.
        using var laptop = platform.NewClient(newDevice: true);
        var login = await (await laptop.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["totp"], login.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()));
        var flowId = login.GetProperty("flowId").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await laptop.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId, channel = "totp" })).StatusCode);

        // The code used at enrolment is spent; wait for the next time step.
        var step = DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond / 30;
        while (DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond / 30 == step)
        {
            await Task.Delay(250);
        }
        var code = totp.ComputeTotp();
        Assert.Equal(HttpStatusCode.OK, (await laptop.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId, code })).StatusCode);

        // The same code on another new device is refused: a TOTP code is accepted once.
        using var phone = platform.NewClient(newDevice: true);
        var second = await (await phone.LoginAsync(user.Username, user.Password)).Content.ReadFromJsonAsync<JsonElement>();
        var secondFlow = second.GetProperty("flowId").GetString()!;
        await phone.PostAsJsonAsync("/api/auth/second-factor/send", new { flowId = secondFlow, channel = "totp" });
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.PostAsJsonAsync("/api/auth/second-factor/verify", new { flowId = secondFlow, code })).StatusCode);
    }
}
