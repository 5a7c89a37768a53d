using AccessPlatform.Login.Flow;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Pages;

/// <summary>The second factor for a new device: choose a channel, receive the code, enter it.</summary>
public sealed class LoginCodeModel(SecondFactorStep secondFactor, LoginFlow flow, SessionCookie sessionCookie, IStringLocalizer<SharedResource> text)
    : PageModel
{
    /// <summary>Binds the pending login to this browser; the id never appears in a URL.</summary>
    public const string FlowCookie = "ap_login_flow";

    public static CookieOptions FlowCookieOptions(IHostEnvironment environment) => new()
    {
        HttpOnly = true,
        Secure = !environment.IsDevelopment(),
        SameSite = SameSiteMode.Strict,
        Path = "/",
        MaxAge = ChallengeStore.Lifetime,
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
        switch (await secondFactor.SendAsync(FlowId ?? "", channel))
        {
            case SendResult.Cooldown cooldown:
                Error = text["Otp_ResendWait", cooldown.Seconds];
                break;
            case SendResult.TooManyCodes:
                Error = text["Otp_TooMany"];
                break;
            case SendResult.Undeliverable undeliverable:
                Error = text["Otp_DeliveryFailed", undeliverable.Destination];
                break;
            case SendResult.UnknownChannel:
                return BadRequest();
        }
        return await ShowAsync();
    }

    public async Task<IActionResult> OnPostVerifyAsync(string? code)
    {
        switch (await flow.CompleteSecondFactorAsync(FlowId ?? "", code, HttpContext))
        {
            case LoginOutcome.SignedIn signedIn:
                Response.Cookies.Append(sessionCookie.Name, signedIn.SecretId, sessionCookie.Options);
                Response.Cookies.Delete(FlowCookie);
                return LocalRedirect(ReturnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) ? url : "/");
            case LoginOutcome.WrongCode:
                Error = text["Otp_Invalid"];
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
        if (await secondFactor.LoadAsync(FlowId) is not var (challenge, user))
        {
            Gone = true;
            Error ??= text["Otp_Expired"];
            Response.Cookies.Delete(FlowCookie);
            return Page();
        }
        Channels = SecondFactorStep.ChannelsOf(user);
        Channel = challenge.Channel ?? (Channels.Any(c => c.Channel == user.OtpChannel) ? user.OtpChannel : Channels[0].Channel);
        SentTo = challenge.Channel is null ? null : Channels.First(c => c.Channel == challenge.Channel).Destination;
        Delivery = await secondFactor.DeliveryOfAsync(challenge);
        return Page();
    }
}
