using AccessPlatform.Login.Apis;
using AccessPlatform.Login.PasswordReset;
using AccessPlatform.Login.Passwords;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages;

/// <summary>Sets a new password from a reset or invitation link; the same rules as <c>POST /api/auth/password/reset</c>.</summary>
public sealed class ResetPasswordModel(PasswordResets resets, PasswordPolicy policy, IStringLocalizer<SharedResource> text) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }
    [BindProperty] public string? NewPassword { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }

    public bool LinkLive { get; private set; } = true;

    public string? Error { get; private set; }

    public int MinLength => policy.MinLength;

    public async Task OnGetAsync()
    {
        // The link's secret stays out of the Referer of anything this page loads.
        Response.Headers["Referrer-Policy"] = "no-referrer";
        LinkLive = await resets.IsLiveAsync(Token);
        if (!LinkLive)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Response.Headers["Referrer-Policy"] = "no-referrer";
        if (string.IsNullOrEmpty(NewPassword) || string.IsNullOrEmpty(ConfirmPassword) || NewPassword.Length > 512)
        {
            return Fail(text["Reset_TooShort", policy.MinLength]);
        }
        if (NewPassword != ConfirmPassword)
        {
            return Fail(text["Reset_Mismatch"]);
        }
        switch (await resets.ResetAsync(Token ?? "", NewPassword, HttpContext.Connection.RemoteIpAddress?.ToString()))
        {
            case ResetOutcome.Changed:
                return RedirectToPage("/Login", new { reset = true });
            case ResetOutcome.Rejected rejected:
                return Fail(PasswordApi.ProblemText(rejected.Problem, policy, text));
            default:
                LinkLive = false;
                return Fail(null);
        }
    }

    private PageResult Fail(string? error)
    {
        Error = error;
        NewPassword = ConfirmPassword = null; // never echoed back
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
