using System.Globalization;
using AccessPlatform.Login.Apis;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passwords;
using AccessPlatform.Login.Signup;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Pages;

/// <summary>The sign-up form: the same rules and answers as <c>POST /api/signup</c>, for browsers without JavaScript.</summary>
public sealed class SignupModel(Signups signups, IOptions<SignupOptions> options, IOptions<PlatformOptions> platform, PasswordPolicy policy,
    IStringLocalizer<SignupResource> text) : PageModel
{
    [BindProperty] public string? CompanyName { get; set; }
    [BindProperty] public string? AccountKey { get; set; }
    [BindProperty] public string? Username { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Phone { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public bool AcceptTerms { get; set; }

    public bool Sent { get; private set; }

    public string? SentMessage { get; private set; }

    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public int MinPasswordLength => policy.MinLength;

    /// <summary>The start of the SSO address the account key completes (shown live while typing).</summary>
    public string SsoBase => new Uri(platform.Value.PublicOrigin, "/login/saml/").ToString();

    public string? ErrorOf(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    public IActionResult OnGet() => options.Value.Enabled ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!options.Value.Enabled)
        {
            return NotFound();
        }
        var request = new SignupRequest(CompanyName, AccountKey, Username, Email, Phone, Password, AcceptTerms);
        SignupOutcome outcome;
        try
        {
            outcome = await signups.SignUpAsync(request, CultureInfo.CurrentUICulture.Name, HttpContext.Connection.RemoteIpAddress?.ToString());
        }
        catch (HashingCapacityExceededException)
        {
            Response.Headers.RetryAfter = "1";
            return Fail(new() { [""] = [text["Signup_Busy"]] }, StatusCodes.Status503ServiceUnavailable);
        }
        switch (outcome)
        {
            case SignupOutcome.Invalid invalid:
                return Fail(invalid.Errors, StatusCodes.Status400BadRequest);
            case SignupOutcome.Taken taken:
                return Fail(taken.Errors, StatusCodes.Status409Conflict);
            default:
                Sent = true;
                SentMessage = SignupApi.SentMessage(text, options.Value);
                Password = null;
                return Page();
        }
    }

    private PageResult Fail(Dictionary<string, string[]> errors, int status)
    {
        Errors = errors;
        Password = null; // never echoed back
        Response.StatusCode = status;
        return Page();
    }
}
