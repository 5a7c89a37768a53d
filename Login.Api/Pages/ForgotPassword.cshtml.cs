using AccessPlatform.Login.Apis;
using AccessPlatform.Login.PasswordReset;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages;

/// <summary>The same as <c>POST /api/auth/password/forgot</c>: one answer for every input, the work done in the background.</summary>
public sealed class ForgotPasswordModel(ForgotPasswordQueue queue, IStringLocalizer<SharedResource> text) : PageModel
{
    [BindProperty] public string? UsernameOrEmail { get; set; }

    public bool Sent { get; private set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public IActionResult OnPost()
    {
        if (string.IsNullOrWhiteSpace(UsernameOrEmail) || UsernameOrEmail.Length > AuthApi.MaxUsernameLength)
        {
            Error = text["Forgot_Intro"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        PasswordApi.Enqueue(queue, UsernameOrEmail.Trim(), HttpContext);
        Sent = true;
        return Page();
    }
}
