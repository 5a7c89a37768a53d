using AccessPlatform.Login.Data;

namespace AccessPlatform.Login.Flow;

public enum DeviceStatus { Trusted, New }

/// <summary>
/// Step 2: is this a device the user has completed a second factor on? Until two-factor authentication is
/// switched on (<c>Login:SecondFactor:Enabled</c>), every device counts as trusted.
/// </summary>
public interface IDeviceCheckStep
{
    Task<DeviceStatus> RunAsync(User user, HttpContext http);
}

public sealed class TrustEveryDevice : IDeviceCheckStep
{
    public Task<DeviceStatus> RunAsync(User user, HttpContext http) => Task.FromResult(DeviceStatus.Trusted);
}
