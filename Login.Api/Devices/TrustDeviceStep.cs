using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Notifications;
using AccessPlatform.Login.SecondFactor;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Devices;

/// <summary>
/// Step: after a second factor passed in this flow, this browser becomes trusted for this user (a fresh secret, for
/// this user only, for a fixed period), and the user is told of the new sign-in (ASVS 6.3.4).
/// </summary>
public sealed class TrustDeviceStep(
    TrustedDeviceStore devices, DeviceCookie cookie, UserNotifier notifier, AuditLog audit, IOptions<SecondFactorOptions> options, TimeProvider clock)
    : ILoginStep
{
    /// <summary>Browsers cap cookie lifetimes at 400 days; trust itself expires server-side.</summary>
    private static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(400);

    public string Name => "login.trust-device";

    public async Task<StepResult> RunAsync(LoginState state, HttpContext http)
    {
        // A passwordless sign-in on a browser already trusted needs no new trust (nor a new-device email).
        if (state.PassedSecondFactor is null || state.SecondFactorSatisfied)
        {
            return StepResult.Continue;
        }
        var user = state.RequiredUser;
        var secret = TrustedDeviceStore.NewDeviceId();
        await devices.TrustAsync(user.Id, secret, state.DeviceLabel, clock.GetUtcNow().UtcDateTime, options.Value.DeviceTrust, state.Ip);
        http.Response.Cookies.Append(cookie.NameFor(user.Id), secret, cookie.Options(CookieLifetime));
        await audit.RecordAsync(AuditEvents.DeviceTrusted, user.AccountId, user.Id, state.DeviceLabel, ip: state.Ip);
        await notifier.SendNewDeviceAsync(user, new LoginContext(state.Ip, state.DeviceLabel, state.ChosenLanguage), state.Language);
        return StepResult.Continue;
    }
}
