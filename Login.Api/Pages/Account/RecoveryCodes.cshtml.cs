using System.Text;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>
/// Generating recovery codes: needs a recent re-authentication (else to <c>/account/reauthenticate</c> and back); the
/// new codes are shown in the answer to the POST only (never stored in plain text, <c>no-store</c>), with a
/// <c>.txt</c> download. The same <see cref="RecoveryCodeChanges"/> as the API, so it is audited and emailed too.
/// </summary>
[Authorize]
public sealed class RecoveryCodesModel(RecoveryCodeChanges changes, RecentAuthentication recent, IStringLocalizer<RecoveryResource> text) : PageModel
{
    private const string Self = "/account/recovery-codes";

    public IReadOnlyList<string>? Codes { get; private set; }

    public string FileName => $"recovery-codes-{User.Identity?.Name}.txt";

    public string DownloadHref => "data:text/plain;charset=utf-8," + Uri.EscapeDataString(FileText());

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await recent.IsRecentAsync(HttpContext))
        {
            return Redirect(RecentAuthentication.PageFor(Self));
        }
        Codes = await changes.GenerateAsync(User.UserIdOf(), HttpContext.Connection.RemoteIpAddress?.ToString());
        if (Codes is null)
        {
            return NotFound();
        }
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    private string FileText()
    {
        var file = new StringBuilder();
        file.Append(text["Recovery_FileHeader", User.Identity?.Name ?? "", Request.Host.Host]).Append("\r\n\r\n");
        foreach (var code in Codes ?? [])
        {
            file.Append(code).Append("\r\n");
        }
        return file.ToString();
    }
}
