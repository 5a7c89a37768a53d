using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Passkeys;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages;

/// <summary>
/// The second factor for a new device: choose a channel, receive the code, enter it; or, where the user has one, use a
/// passkey (the strongest factor). Every action goes through the flow.
/// </summary>
public sealed class LoginCodeModel(LoginFlow flow, SessionCookie sessionCookie, IStringLocalizer<SharedResource> text,
    IStringLocalizer<PasskeyResource> passkeyText) : PageModel
{
    /// <summary>Holds the pending login's id for this browser; the id never appears in a URL.</summary>
    public const string FlowCookie = "ap_login_flow";

    public static CookieOptions FlowCookieOptions(IHostEnvironment environment) => new()
    {
        HttpOnly = true,
        Secure = !environment.IsDevelopment(),
        SameSite = SameSiteMode.Strict,
        Path = "/",
        MaxAge = LoginStateStore.Lifetime,
    };

    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public IReadOnlyList<ChannelOption> Channels { get; private set; } = [];
    public string? Channel { get; private set; }
    public string? SentTo { get; private set; }
    public DeliveryStatus Delivery { get; private set; }
    public string? Error { get; private set; }
    public bool Gone { get; private set; }

    private string? FlowId => Request.Cookies[FlowCookie];

    public async Task<IActionResult> OnGetAsync() => await ShowAsync();

    public async Task<IActionResult> OnPostSendAsync(string? channel)
    {
        if (channel is not { Length: <= 16 })
        {
            return BadRequest();
        }
        switch (await flow.ContinueAsync(FlowId, new StepInput.ChooseChannel(channel), HttpContext))
        {
            case LoginOutcome.CodeCooldown cooldown:
                Error = text["Otp_ResendWait", cooldown.Seconds];
                break;
            case LoginOutcome.TooManyCodes:
                Error = text["Otp_TooMany"];
                break;
            case LoginOutcome.CodeUndeliverable undeliverable:
                Error = text["Otp_DeliveryFailed", undeliverable.Destination];
                break;
            case LoginOutcome.UnknownChannel:
                return BadRequest();
        }
        return await ShowAsync();
    }

    public async Task<IActionResult> OnPostVerifyAsync(string? code)
    {
        if (code is not { Length: > 0 and <= 16 })
        {
            Error = text["Otp_Invalid"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return await ShowAsync();
        }
        return await AnswerAsync(new StepInput.SubmitCode(code), text["Otp_Invalid"]);
    }

    /// <summary>"Use a recovery code": in place of the code, through the same flow and the same lockout.</summary>
    public async Task<IActionResult> OnPostRecoveryAsync(string? recoveryCode, [FromServices] IStringLocalizer<RecoveryResource> recovery)
    {
        if (recoveryCode is not { Length: > 0 and <= RecoveryCodeFormat.MaxInputLength })
        {
            Error = recovery["Recovery_Invalid"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return await ShowAsync();
        }
        return await AnswerAsync(new StepInput.SubmitRecoveryCode(recoveryCode), recovery["Recovery_Invalid"]);
    }

    private async Task<IActionResult> AnswerAsync(StepInput answer, string wrong)
    {
        switch (await flow.ContinueAsync(FlowId, answer, HttpContext))
        {
            case LoginOutcome.SignedIn signedIn:
                Response.Cookies.Append(sessionCookie.Name, signedIn.SecretId, sessionCookie.Options);
                Response.Cookies.Delete(FlowCookie);
                return LocalRedirect(signedIn.PasskeyRequired ? PasskeyJson.RequiredPage
                    : ReturnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) ? url : "/");
            case LoginOutcome.WrongCode:
                Error = wrong;
                Response.StatusCode = StatusCodes.Status401Unauthorized;
                break;
            case LoginOutcome.CodeNotRequested:
                Error = text["Otp_RequestFirst"];
                Response.StatusCode = StatusCodes.Status409Conflict;
                break;
            default:
                Error = text["Otp_Expired"];
                Response.StatusCode = StatusCodes.Status410Gone;
                break;
        }
        return await ShowAsync();
    }

    /// <summary>Request options for the passkey second factor of this browser's flow (JSON for <c>passkeys.js</c>).</summary>
    public async Task<IActionResult> OnPostPasskeyOptionsAsync() =>
        await flow.ContinueAsync(FlowId, new StepInput.ChooseChannel(PasskeySignInStep.Factor), HttpContext) is LoginOutcome.PasskeyRequested requested
            ? Content(requested.OptionsJson, "application/json")
            : StatusCode(StatusCodes.Status410Gone);

    public async Task<IActionResult> OnPostPasskeyAsync(string? credential)
    {
        switch (await flow.ContinueAsync(FlowId, new StepInput.SubmitPasskey(PasskeyJson.ReadAssertion(credential)), HttpContext))
        {
            case LoginOutcome.SignedIn signedIn:
                Response.Cookies.Append(sessionCookie.Name, signedIn.SecretId, sessionCookie.Options);
                Response.Cookies.Delete(FlowCookie);
                return LocalRedirect(signedIn.PasskeyRequired ? PasskeyJson.RequiredPage
                    : ReturnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) ? url : "/");
            case LoginOutcome.PasskeyRefused or LoginOutcome.CodeNotRequested:
                Error = passkeyText["Passkey_Refused"];
                Response.StatusCode = StatusCodes.Status401Unauthorized;
                break;
            default:
                Error = text["Otp_Expired"];
                Response.StatusCode = StatusCodes.Status410Gone;
                break;
        }
        return await ShowAsync();
    }

    private async Task<IActionResult> ShowAsync()
    {
        if (await flow.DescribeAsync(FlowId, HttpContext) is not LoginOutcome.SecondFactorPending pending)
        {
            Gone = true;
            Error ??= text["Otp_Expired"];
            Response.Cookies.Delete(FlowCookie);
            return Page();
        }
        Channels = pending.Channels;
        Channel = pending.Channel ?? pending.PreferredChannel;
        SentTo = pending.Destination;
        Delivery = pending.Delivery;
        return Page();
    }
}
