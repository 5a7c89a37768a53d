using AccessPlatform.Login.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages;

/// <summary>The language selector's target: keeps the choice in the culture cookie, then goes back.</summary>
public sealed class LanguageModel(IHostEnvironment environment) : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/login");

    public IActionResult OnPost(string? culture, string? returnUrl)
    {
        if (!Cultures.IsSupported(culture))
        {
            return BadRequest();
        }
        PlatformCultures.AppendCultureCookie(Response, culture!, secure: !environment.IsDevelopment());
        return LocalRedirect(returnUrl is { Length: > 0 } && Url.IsLocalUrl(returnUrl) ? returnUrl : "/login");
    }
}
