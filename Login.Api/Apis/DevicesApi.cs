using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AccessPlatform.Login.Apis;

/// <summary>The signed-in user's trusted devices: list and revoke.</summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth/devices").WithTags("Trusted devices").RequireAuthorization();
        auth.MapGet("", ListDevices).WithName("ListTrustedDevices").WithSummary("Devices that skip the second factor.");
        auth.MapDelete("/{id:guid}", RevokeDevice).WithName("RevokeTrustedDevice").ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Ends the trust of one device.");
        return app;
    }

    public static async Task<Ok<Devices.TrustedDevice[]>> ListDevices(HttpContext http, Devices.TrustedDeviceStore devices, TimeProvider clock) =>
        TypedResults.Ok((await devices.ListAsync(http.User.UserIdOf(), clock.GetUtcNow().UtcDateTime)).ToArray());

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeDevice(Guid id, HttpContext http, Devices.TrustedDeviceStore devices,
        Audit.AuditLog audit, TimeProvider clock)
    {
        if (!await devices.RevokeAsync(http.User.UserIdOf(), id, clock.GetUtcNow().UtcDateTime))
        {
            return TypedResults.Problem(title: "Device not found", statusCode: StatusCodes.Status404NotFound);
        }
        await audit.RecordAsync(Audit.AuditEvents.DeviceRevoked, http.User.AccountIdOf(), http.User.UserIdOf(), "user", http.User.UserIdOf());
        return TypedResults.NoContent();
    }
}
