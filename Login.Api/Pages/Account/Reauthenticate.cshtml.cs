using AccessPlatform.Login.Apis;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>Confirm the password before a security change, then back to the page that asked (<c>returnUrl</c>).</summary>
[Authorize]
public sealed class ReauthenticateModel(Reauthenticator reauthenticator, IStringLocalizer<SharedResource> text) : PageModel
{
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrEmpty(Password) || Password.Length > ReauthenticationApi.MaxPasswordLength)
        {
            Error = text["Login_Required"];
            return Fail(StatusCodes.Status400BadRequest);
        }
        ReauthenticationResult result;
        try
        {
            result = await reauthenticator.ReauthenticateAsync(HttpContext, Password);
        }
        catch (HashingCapacityExceededException)
        {
            Response.Headers.RetryAfter = "1";
            Error = text["Login_Busy"];
            return Fail(StatusCodes.Status503ServiceUnavailable);
        }
        switch (result)
        {
            case ReauthenticationResult.Passed:
                return LocalRedirect(SafeReturnUrl);
            case ReauthenticationResult.Locked:
                Error = text["Login_TooManyAttempts"];
                return Fail(StatusCodes.Status429TooManyRequests);
            default:
                Error = text["Reauth_WrongPassword"];
                return Fail(StatusCodes.Status401Unauthorized);
        }
    }

    private PageResult Fail(int status)
    {
        Password = null; // never echoed back
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>Only paths inside this site; anything else (other hosts, //evil, \\evil) goes home.</summary>
    public string SafeReturnUrl => ReturnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) ? url : "/";
}
