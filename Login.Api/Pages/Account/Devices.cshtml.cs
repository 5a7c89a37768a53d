using AccessPlatform.Login.Devices;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>Users see the devices that skip the second factor and remove any of them.</summary>
[Authorize]
public sealed class DevicesModel(TrustedDeviceStore devices, TimeProvider clock) : PageModel
{
    public IReadOnlyList<TrustedDevice> Devices { get; private set; } = [];

    public async Task OnGetAsync() => Devices = await devices.ListAsync(User.UserIdOf(), clock.GetUtcNow().UtcDateTime);

    public async Task<IActionResult> OnPostAsync(Guid id)
    {
        await devices.RevokeAsync(User.UserIdOf(), id, clock.GetUtcNow().UtcDateTime);
        return RedirectToPage();
    }
}
