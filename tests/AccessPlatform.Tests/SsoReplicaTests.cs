using System.Text.Json;

namespace AccessPlatform.Tests;

/// <summary>SAML with two Sso.Api instances: the AuthnRequest one instance sent is answered at the other.</summary>
[Collection(ReplicaCollection.Name)]
public sealed class SsoReplicaTests(ReplicaPlatformFixture platform, SamlIdpFixture idp) : IClassFixture<SamlIdpFixture>
{
    [Fact]
    public async Task An_sso_login_whose_authn_request_came_from_one_sso_api_replica_completes_at_the_other()
    {
        var key = "sso-" + Guid.NewGuid().ToString("N")[..10];
        var manager = await platform.CreateUserAsync("am", roles: ["AccountManager"], account: key);
        using var admin = platform.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.LoginAsync(manager.Username, manager.Password)).StatusCode);
        var view = await admin.GetFromJsonAsync<JsonElement>("/api/admin/sso");
        var account = new SsoAccount(key, admin, view.GetProperty("spEntityId").GetString()!, view.GetProperty("acsUrl").GetString()!) { Jit = true };
        await account.PutSettingsAsync(idp);

        var instances = await platform.InstancesAsync("sso-api");
        var cookies = new CookieContainer();
        var client = "10.21.0.7";
        using var first = ReplicaPlatformFixture.InstanceClient(instances[0].Address, client, cookies);
        using var second = ReplicaPlatformFixture.InstanceClient(instances[1].Address, client, cookies);

        var start = await first.GetAsync($"/login/saml/{key}/?returnUrl=%2F");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var email = $"replica-{Guid.NewGuid():N}"[..20] + "@jit.example.test";
        var response = await idp.MintAsync(new MintRequest
        {
            SpEntityId = account.SpEntityId, AcsUrl = account.AcsUrl, InResponseTo = SamlIdpFixture.RequestIdOf(start.Headers.Location!),
            NameId = "replica-" + email, Email = email, GivenName = "Replica", Surname = "User",
        });

        var posted = await second.PostAsync($"/login/saml/{key}/acs", new FormUrlEncodedContent(new Dictionary<string, string> { ["SAMLResponse"] = response }));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        Assert.StartsWith("/login/sso/complete?code=", posted.Headers.Location!.OriginalString);

        // The browser carries the binding cookie the second instance set on to Login.Api, through the gateway.
        using var browser = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = platform.GatewayAddress };
        var complete = await browser.GetAsync(posted.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, complete.StatusCode);
        var session = await browser.GetFromJsonAsync<JsonElement>("/api/auth/session");
        Assert.Equal(key, session.GetProperty("account").GetString());
    }
}
