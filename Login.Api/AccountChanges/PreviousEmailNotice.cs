using AccessPlatform.Login.Data;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.AccountChanges;

/// <summary>
/// A password reset started soon after an email change also tells the previous address (issue 11): whoever changed
/// the address and now resets the password is heard of by the address the owner still reads.
/// </summary>
public sealed class PreviousEmailNotice(ContactChangeStore store, AccountChangeNotifier notifier, IOptions<AccountChangeOptions> options, TimeProvider clock)
{
    public async Task TellOfResetAsync(User user)
    {
        var since = clock.GetUtcNow().UtcDateTime - options.Value.PreviousEmailNotice;
        foreach (var old in await store.PreviousEmailsAsync(user.Id, since))
        {
            if (!string.Equals(old, user.Email, StringComparison.OrdinalIgnoreCase))
            {
                await notifier.EmailAsync(user, old, "Email_ResetAfterEmailChange", user.Username, notifier.Now);
            }
        }
    }
}
