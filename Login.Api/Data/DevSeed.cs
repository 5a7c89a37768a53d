using AccessPlatform.Login.Passwords;

namespace AccessPlatform.Login.Data;

/// <summary>Development only, idempotent: the demo account and users listed in the README.</summary>
public sealed class DevSeed(UserStore users, PasswordHasher hasher)
{
    public static readonly (string Username, string Password, string Email, string Phone, string Role, bool WebAccess)[] Users =
    [
        ("anna.manager", "contoso-manager-demo", "anna.manager@contoso.example", "+385912345601", Roles.AccountManager, true),
        ("ben.user", "contoso-user-demo", "ben.user@contoso.example", "+385912345602", Roles.User, true),
        ("carl.noweb", "contoso-noweb-demo", "carl.noweb@contoso.example", "+385912345603", Roles.User, false),
    ];

    public async Task SeedAsync()
    {
        var contoso = await users.EnsureAccountAsync("contoso", "Contoso Ltd.");
        foreach (var (username, password, email, phone, role, webAccess) in Users)
        {
            if (await users.FindByUsernameAsync(username) is null)
            {
                await users.CreateAsync(new NewUser(contoso, username, email, phone, await hasher.HashAsync(password), "en",
                    role == Roles.AccountManager ? [Roles.AccountManager, Roles.User] : [Roles.User], webAccess));
            }
        }
    }
}
