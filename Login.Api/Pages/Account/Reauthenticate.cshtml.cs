using AccessPlatform.Login.Apis;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>Confirm the password before a security change, then back to the page that asked (<c>returnUrl</c>).</summary>
[Authorize]
public sealed class ReauthenticateModel(Reauthenticator reauthenticator, IStringLocalizer<SharedResource> text) : PasswordFormModel
{


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
}
