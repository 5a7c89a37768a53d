using AccessPlatform.Contracts;
using AccessPlatform.Sso.Login;
using Sso.Api.Saml;

namespace Sso.Api.Tests.Login;

public class SamlLoginApiTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/account/sessions")]
    [InlineData("/a?b=c#d")]
    public void Local_paths_are_accepted_as_return_paths(string path) => Assert.True(SsoBridge.IsLocalPath(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("evil")]
    [InlineData("/a\r\nLocation: https://evil.example/")]
    public void Anything_but_a_local_path_is_refused_as_a_return_path(string? path) => Assert.False(SsoBridge.IsLocalPath(path));

    [Theory]
    [InlineData(SamlFailureReason.SignatureInvalid, "saml-signature-invalid")]
    [InlineData(SamlFailureReason.InResponseToMismatch, "saml-in-response-to-mismatch")]
    [InlineData(SamlFailureReason.DtdProhibited, "saml-dtd-prohibited")]
    [InlineData(SamlFailureReason.Replay, "saml-replay")]
    public void Failure_reasons_become_kebab_case_audit_codes(SamlFailureReason reason, string code) =>
        Assert.Equal(code, SamlLoginApi.ReasonCode(reason));

    [Fact]
    public void Every_failure_reason_makes_an_audit_code_login_api_accepts()
    {
        foreach (var reason in Enum.GetValues<SamlFailureReason>())
        {
            Assert.Matches("^[a-z0-9-]{1,64}$", SamlLoginApi.ReasonCode(reason));
        }
    }

    [Theory]
    [InlineData("contoso")]
    [InlineData("a1")]
    [InlineData("sso-1234")]
    public void Account_keys_follow_login_api_rules(string key) => Assert.Matches(SsoBridge.AccountKey(), key);

    [Theory]
    [InlineData("C")]
    [InlineData("Contoso")]
    [InlineData("-contoso")]
    [InlineData("con..toso")]
    public void Other_account_keys_are_not_looked_up(string key) => Assert.DoesNotMatch(SsoBridge.AccountKey(), key);

    [Fact]
    public void The_sp_entity_id_is_the_account_sso_url_under_the_public_origin()
    {
        var options = new SsoOptions { PublicOrigin = "https://access.example.com/" };
        Assert.Equal("https://access.example.com/login/saml/contoso/", options.SpEntityId("contoso"));
    }
}
