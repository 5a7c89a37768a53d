using AccessPlatform.Login.Apis;
using AccessPlatform.Login.Signup;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Pages;

/// <summary>
/// The activation link's page. Opening it changes nothing (mail scanners follow links); its button posts the
/// token, which activates the account once.
/// </summary>
public sealed class SignupConfirmModel(Signups signups, IOptions<SignupOptions> options) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }

    public bool? Activated { get; private set; }

    public string SignInLink => "/login?ReturnUrl=" + Uri.EscapeDataString(SignupApi.FirstSignInPath);

    public IActionResult OnGet()
    {
        if (!options.Value.Enabled)
        {
            return NotFound();
        }
        // The link's secret stays out of the Referer of anything this page loads.
        Response.Headers["Referrer-Policy"] = "no-referrer";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!options.Value.Enabled)
        {
            return NotFound();
        }
        Response.Headers["Referrer-Policy"] = "no-referrer";
        Activated = await signups.ConfirmAsync(Token, HttpContext.Connection.RemoteIpAddress?.ToString());
        Token = null;
        if (Activated == false)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }
}
