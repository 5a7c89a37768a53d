using AccessPlatform.Login.Pages;
using AccessPlatform.Login.Signup;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Tests;

/// <summary>
/// <c>Signup:Enabled=false</c> makes the sign-up page, its confirmation page and the API answer 404 (issue 18). The
/// integration suite runs with sign-up on (Development), so the off switch is checked here on the pieces that read it.
/// </summary>
public sealed class SignupDisabledTests
{
    private static readonly IOptions<SignupOptions> Off = Options.Create(new SignupOptions { Enabled = false });

    [Fact]
    public async Task The_api_filter_answers_404_problem_json_and_never_calls_the_endpoint()
    {
        var called = false;
        var context = new DefaultEndpointFilterInvocationContext(new DefaultHttpContext());
        var result = await new SignupEnabledFilter(Off).InvokeAsync(context, _ =>
        {
            called = true;
            return ValueTask.FromResult<object?>(null);
        });
        Assert.False(called);
        var problem = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>(result);
        Assert.Equal(StatusCodes.Status404NotFound, problem.StatusCode);
    }

    [Fact]
    public async Task The_api_filter_lets_requests_through_when_enabled()
    {
        var called = false;
        var context = new DefaultEndpointFilterInvocationContext(new DefaultHttpContext());
        await new SignupEnabledFilter(Options.Create(new SignupOptions { Enabled = true })).InvokeAsync(context, _ =>
        {
            called = true;
            return ValueTask.FromResult<object?>(null);
        });
        Assert.True(called);
    }

    [Fact]
    public async Task The_pages_answer_404_on_get_and_post()
    {
        // The other dependencies are never touched when sign-up is off.
        var signup = new SignupModel(null!, Off, null!, null!, null!);
        Assert.IsType<NotFoundResult>(signup.OnGet());
        Assert.IsType<NotFoundResult>(await signup.OnPostAsync());
        var confirm = new SignupConfirmModel(null!, Off);
        Assert.IsType<NotFoundResult>(confirm.OnGet());
        Assert.IsType<NotFoundResult>(await confirm.OnPostAsync());
    }

    [Fact]
    public void Sign_up_is_off_unless_configured()
    {
        Assert.False(new SignupOptions().Enabled);
        Assert.Equal(24, new SignupOptions().ActivationLifetimeHours);
        Assert.Equal(7, new SignupOptions().PendingRetentionDays);
    }

    [Theory]
    [InlineData("anna@contoso.example", true)]
    [InlineData("anna@CONTOSO.example", true)]
    [InlineData("anna@evil-contoso.example", false)]
    [InlineData("anna@contoso.example.evil", false)]
    public void Allowed_email_domains_match_exactly(string email, bool allowed) =>
        Assert.Equal(allowed, new SignupOptions { AllowedEmailDomains = ["contoso.example"] }.IsAllowedEmailDomain(email));
}
