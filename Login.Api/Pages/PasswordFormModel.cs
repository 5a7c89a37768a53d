using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages;

/// <summary>
/// What every page that asks for a password shares (sign-in, re-authentication, SSO link): the password is never
/// echoed back, a failure keeps its status code, and the return URL stays inside this site.
/// </summary>
public abstract class PasswordFormModel : PageModel
{
    [BindProperty] public string? Password { get; set; }
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public string? Error { get; protected set; }

    /// <summary>Only paths inside this site; anything else (other hosts, //evil, \\evil) goes home.</summary>
    public string SafeReturnUrl => ReturnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) ? url : "/";

    protected PageResult Fail(int status, string? error = null)
    {
        Password = null;
        Error = error ?? Error;
        Response.StatusCode = status;
        return Page();
    }
}
