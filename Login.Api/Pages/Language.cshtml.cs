using AccessPlatform.Login.Localization;
using Microsoft.AspNetCore.Localization;
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
        var code = Cultures.Normalize(culture);
        Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(code)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = !environment.IsDevelopment(), IsEssential = true });
        return LocalRedirect(returnUrl is { Length: > 0 } && Url.IsLocalUrl(returnUrl) ? returnUrl : "/login");
    }
}
