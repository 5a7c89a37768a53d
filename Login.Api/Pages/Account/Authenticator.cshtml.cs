using AccessPlatform.Login.Data;
using AccessPlatform.Login.SecondFactor;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using QRCoder;

namespace AccessPlatform.Login.Pages.Account;

/// <summary>Enrol an authenticator app: scan the QR code (or type the secret), confirm with a first code.</summary>
[Authorize]
public sealed class AuthenticatorModel(Authenticator authenticator, UserStore users, IStringLocalizer<SharedResource> text) : PageModel
{
    public bool Enrolled { get; private set; }
    public Authenticator.Enrolment? Enrolment { get; private set; }
    public string? QrPng { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync() => await ShowAsync();

    public async Task<IActionResult> OnPostConfirmAsync(string? code)
    {
        if (await authenticator.ConfirmAsync(User.UserIdOf(), code))
        {
            return RedirectToPage();
        }
        Error = text["Otp_Invalid"];
        await ShowAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync()
    {
        await authenticator.RemoveAsync(User.UserIdOf());
        return RedirectToPage();
    }

    private async Task ShowAsync()
    {
        Enrolled = (await users.FindByIdAsync(User.UserIdOf()))?.TotpSecret is not null;
        if (!Enrolled)
        {
            Enrolment = await authenticator.BeginAsync(User.UserIdOf(), User.Identity!.Name!);
            using var data = QRCodeGenerator.GenerateQrCode(Enrolment.OtpAuthUri, QRCodeGenerator.ECCLevel.M);
            QrPng = Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(5));
        }
    }
}
