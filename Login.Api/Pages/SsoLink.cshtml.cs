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
public sealed class SsoLinkModel(LoginFlow flow, SessionCookie sessionCookie, IStringLocalizer<SsoLinkResource> text) : PasswordFormModel
{

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
            return Fail(StatusCodes.Status503ServiceUnavailable, text["Link_Busy"]);
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
                return Fail(StatusCodes.Status401Unauthorized, text["Link_WrongPassword"]);
            case LoginOutcome.TooManyFailures or LoginOutcome.TooManyChallenges:
                return Fail(StatusCodes.Status429TooManyRequests, text["Link_TooMany"]);
            default:
                return GonePage(StatusCodes.Status410Gone);
        }
    }


    private PageResult GonePage(int status)
    {
        Gone = true;
        Response.Cookies.Delete(LoginCodeModel.FlowCookie);
        return Fail(status, text["Link_Gone"]);
    }
}
