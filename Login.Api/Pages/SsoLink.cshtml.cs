using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages;

/// <summary>
/// "Link your company sign-in": the IdP asserted the email of an existing user who has a password. The flow waits at
/// the password step; after it, the second factor page (always, trusted device or not); only then the link is stored.
/// </summary>
public sealed class SsoLinkModel(LoginFlow flow, SessionCookie sessionCookie, IStringLocalizer<SsoLinkResource> text) : PageModel
{
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }
    public bool Gone { get; private set; }

    private string? FlowId => Request.Cookies[LoginCodeModel.FlowCookie];

    public async Task<IActionResult> OnGetAsync()
    {
        // The flow cookies are SameSite=Strict, so a browser that arrives here through a redirect chain a cross-site IdP
        // started does not send them: show the form, whose POST is same-site and decides (an unknown flow is "gone" then).
        if (FlowId is null)
        {
            return Page();
        }
        if (await flow.DescribeAsync(FlowId, HttpContext) is not LoginOutcome.PasswordRequired)
        {
            return GonePage(StatusCodes.Status200OK);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrEmpty(Password) || Password.Length > 512)
        {
            Password = null;
            Error = text["Link_PasswordRequired"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        LoginOutcome outcome;
        try
        {
            outcome = await flow.ContinueAsync(FlowId, new StepInput.SubmitPassword(Password), HttpContext);
        }
        catch (HashingCapacityExceededException)
        {
            Response.Headers.RetryAfter = "1";
            return Fail(text["Link_Busy"], StatusCodes.Status503ServiceUnavailable);
        }
        switch (outcome)
        {
            case LoginOutcome.SecondFactorRequired:
                return RedirectToPage("/LoginCode", new { returnUrl = SafeReturnUrl });
            case LoginOutcome.SignedIn signedIn:
                Response.Cookies.Append(sessionCookie.Name, signedIn.SecretId, sessionCookie.Options);
                Response.Cookies.Delete(LoginCodeModel.FlowCookie);
                return LocalRedirect(SafeReturnUrl);
            case LoginOutcome.InvalidCredentials:
                return Fail(text["Link_WrongPassword"], StatusCodes.Status401Unauthorized);
            case LoginOutcome.TooManyFailures or LoginOutcome.TooManyChallenges:
                return Fail(text["Link_TooMany"], StatusCodes.Status429TooManyRequests);
            default:
                return GonePage(StatusCodes.Status410Gone);
        }
    }

    private PageResult Fail(string error, int status)
    {
        Password = null; // never echoed back
        Error = error;
        Response.StatusCode = status;
        return Page();
    }

    private PageResult GonePage(int status)
    {
        Gone = true;
        Password = null;
        Error = text["Link_Gone"];
        Response.StatusCode = status;
        Response.Cookies.Delete(LoginCodeModel.FlowCookie);
        return Page();
    }

    private string SafeReturnUrl => ReturnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) ? url : "/";
}
