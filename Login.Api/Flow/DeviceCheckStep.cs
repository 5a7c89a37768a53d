using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Devices;
using AccessPlatform.Login.SecondFactor;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Flow;

public enum DeviceStatus { Trusted, New }

/// <summary>
/// Step 2: has this user completed a second factor on this browser within the trust period? An unknown, expired or
/// revoked device id, or one trusted by another user only, means "new device".
/// </summary>
public sealed class DeviceCheckStep(
    TrustedDeviceStore devices, DeviceCookie cookie, IOptions<SecondFactorOptions> options, TimeProvider clock, AuditLog audit)
{
    /// <summary>Browsers cap cookie lifetimes at 400 days; trust itself expires server-side.</summary>
    private static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(400);

    public async Task<DeviceStatus> RunAsync(User user, HttpContext http, LoginContext context)
    {
        if (!options.Value.Enabled)
        {
            return DeviceStatus.Trusted;
        }
        return cookie.Read(http) is { } deviceId
            && await devices.TouchIfTrustedAsync(user.Id, deviceId, clock.GetUtcNow().UtcDateTime, options.Value.DeviceTrust, context.Ip)
            ? DeviceStatus.Trusted
            : DeviceStatus.New;
    }

    /// <summary>After a passed second factor: this browser is trusted for this user from now on.</summary>
    public async Task TrustAsync(User user, HttpContext http, LoginContext context)
    {
        var deviceId = cookie.Read(http) ?? TrustedDeviceStore.NewDeviceId();
        await devices.TrustAsync(user.Id, deviceId, context.DeviceLabel, clock.GetUtcNow().UtcDateTime, options.Value.DeviceTrust, context.Ip);
        http.Response.Cookies.Append(cookie.Name, deviceId, cookie.Options(CookieLifetime));
        await audit.RecordAsync(AuditEvents.DeviceTrusted, user.AccountId, user.Id, context.DeviceLabel, ip: context.Ip);
    }
}
