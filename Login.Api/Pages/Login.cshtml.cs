using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passkeys;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages;

/// <summary>
/// The login form: the same flow as <c>POST /api/auth/login</c>, rendered for browsers without JavaScript; with it,
/// also the passwordless sign-in with a passkey (<c>passkeys.js</c> posts the assertion to the Passkey handler).
/// </summary>
public sealed class LoginModel(LoginFlow flow, SessionCookie cookie, PasskeyService passkeys, IStringLocalizer<SharedResource> text,
    IHostEnvironment environment) : PasswordFormModel
{
    [BindProperty] public string? Username { get; set; }
    [BindProperty(SupportsGet = true)] public bool SignedOut { get; set; }
    [BindProperty(SupportsGet = true)] public bool Reset { get; set; }

    public string? Message { get; private set; }

    public IActionResult OnGet()
    {
        if (User.Identity?.IsAuthenticated == true)
        {
            return LocalRedirect(SafeReturnUrl);
        }
        Message = Reset ? text["Reset_Done"].Value : SignedOut ? text["Login_SignedOut"].Value : null;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(Password) || Username.Length > 256 || Password.Length > 512)
        {
            Error = text["Login_Required"];
            return Fail(StatusCodes.Status400BadRequest);
        }
        LoginOutcome outcome;
        try
        {
            outcome = await flow.StartAsync(Username, Password, HttpContext);
        }
        catch (HashingCapacityExceededException)
        {
            Response.Headers.RetryAfter = "1";
            Error = text["Login_Busy"];
            return Fail(StatusCodes.Status503ServiceUnavailable);
        }
        return Answer(outcome);
    }

    /// <summary>The passwordless sign-in: the assertion answering the options this browser was given (single use).</summary>
    public async Task<IActionResult> OnPostPasskeyAsync(string? credential)
    {
        if (PasskeyJson.ReadAssertion(credential) is not { } response || await passkeys.TakeSignInOptionsAsync(HttpContext) is not { } options)
        {
            Error = text["Login_InvalidCredentials"];
            return Fail(StatusCodes.Status401Unauthorized);
        }
        return Answer(await flow.StartPasskeyAsync(options, response, HttpContext));
    }

    private IActionResult Answer(LoginOutcome outcome)
    {
        switch (outcome)
        {
            case LoginOutcome.SignedIn signedIn:
                Response.Cookies.Append(cookie.Name, signedIn.SecretId, cookie.Options);
                return LocalRedirect(signedIn.PasskeyRequired ? PasskeyJson.RequiredPage : SafeReturnUrl);
            case LoginOutcome.SecondFactorRequired challenge:
                Response.Cookies.Append(LoginCodeModel.FlowCookie, challenge.FlowId, LoginCodeModel.FlowCookieOptions(environment));
                return RedirectToPage("/LoginCode", new { returnUrl = SafeReturnUrl });
            case LoginOutcome.SsoRequired:
                Error = text["Login_UseSso"];
                return Fail(StatusCodes.Status403Forbidden);
            case LoginOutcome.NoWebAccess:
                Error = text["Login_NoWebAccess"];
                return Fail(StatusCodes.Status403Forbidden);
            case LoginOutcome.TooManyFailures:
                Error = text["Login_TooManyAttempts"];
                return Fail(StatusCodes.Status429TooManyRequests);
            case LoginOutcome.TooManyChallenges:
                Error = text["Otp_TooManyChallenges"];
                return Fail(StatusCodes.Status429TooManyRequests);
            default:
                Error = text["Login_InvalidCredentials"];
                return Fail(StatusCodes.Status401Unauthorized);
        }
    }
}
