using AccessPlatform.Login.Flow;
using AccessPlatform.Login.SecondFactor;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Devices;

/// <summary>
/// Step: has this user passed a second factor on this browser within the trust period? One of the browser's trust
/// cookies must hold a value issued to this user; anything else means "new device".
/// </summary>
public sealed class DeviceCheckStep(TrustedDeviceStore devices, DeviceCookie cookie, IOptions<SecondFactorOptions> options, TimeProvider clock)
    : ILoginStep
{
    public string Name => "login.device-check";

    public async Task<StepResult> RunAsync(LoginState state, HttpContext http)
    {
        // Linking an SSO identity always asks the second factor: a trusted browser is not proof enough to let an IdP act as the user.
        if (state.Entry == LoginEntry.SsoLink)
        {
            state.SecondFactorSatisfied = false;
            return StepResult.Continue;
        }
        if (!options.Value.Enabled || state.SecondFactorSatisfied)
        {
            state.SecondFactorSatisfied = true;
            return StepResult.Continue;
        }
        state.SecondFactorSatisfied = await devices.TouchIfTrustedAsync(state.UserId, cookie.Candidates(http), clock.GetUtcNow().UtcDateTime, state.Ip);
        return StepResult.Continue;
    }
}
