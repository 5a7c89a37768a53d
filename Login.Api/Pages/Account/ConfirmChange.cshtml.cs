using AccessPlatform.Login.AccountChanges;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>
/// The page of a confirmation link (new email address, or a number an Account Manager entered). Opening it changes
/// nothing (mail scanners follow links); its button posts the token, which applies the change once. No session
/// needed: the link is the proof of the new address or number.
/// </summary>
public sealed class ConfirmChangeModel(ContactChanges changes) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Token { get; set; }

    /// <summary>Null before the button; then the applied change, or the invalid answer.</summary>
    public AppliedContactChange? Applied { get; private set; }

    public bool Posted { get; private set; }

    public IActionResult OnGet()
    {
        // The link's secret stays out of the Referer of anything this page loads.
        Response.Headers["Referrer-Policy"] = "no-referrer";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Response.Headers["Referrer-Policy"] = "no-referrer";
        Posted = true;
        Applied = await changes.ConfirmAsync(Token, HttpContext.Connection.RemoteIpAddress?.ToString());
        Token = null;
        if (Applied is null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }
}
