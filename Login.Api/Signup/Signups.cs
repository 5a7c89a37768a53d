using System.Globalization;
using AccessPlatform.Contracts;
using AccessPlatform.Login.Audit;
using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Localization;
using AccessPlatform.Login.Notifications;
using AccessPlatform.Login.PasswordReset;
using AccessPlatform.Login.Passwords;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Signup;

public abstract record SignupOutcome
{
    /// <summary>
    /// The one answer for a new address and for one that already has a user (that address got a notice instead):
    /// the page must not tell which (ASVS 6.3.8).
    /// </summary>
    public sealed record Accepted : SignupOutcome;

    public sealed record Invalid(Dictionary<string, string[]> Errors) : SignupOutcome;

    /// <summary>Account key or username in use: field errors on purpose, both are public (the key is in the SSO URL).</summary>
    public sealed record Taken(Dictionary<string, string[]> Errors) : SignupOutcome;

    public sealed record Provisioned(Guid AccountId, Guid UserId) : SignupOutcome;
}

/// <summary>
/// Creating customer accounts: self-service sign-up (pending until the emailed link is used) and operator
/// provisioning (active at once, the first Account Manager gets the 72 h invitation). Every creation is audited in
/// the new account's log with the actor (self-service or operator).
/// </summary>
public sealed class Signups(
    AccountStore accounts, UserStore users, SignupValidation validation, PasswordHasher hasher, PasswordResets resets, AuditLog audit,
    NotificationOutbox outbox, IStringLocalizer<SignupResource> text, EmailComposer emails, IOptions<SignupOptions> options, IOptions<PlatformOptions> platform,
    TimeProvider clock)
{
    public async Task<SignupOutcome> SignUpAsync(SignupRequest request, string language, string? ip)
    {
        var errors = new Dictionary<string, string[]>();
        var fields = validation.Validate(request.CompanyName, request.AccountKey, request.Username, request.Email, request.Phone, errors);
        validation.ValidatePassword(request.Password, errors);
        if (request.AcceptTerms != true)
        {
            errors["acceptTerms"] = [validation.Message("Err_Terms")];
        }
        if (fields is not null && !options.Value.IsAllowedEmailDomain(fields.Email))
        {
            errors["email"] = [validation.Message("Err_Email_Domain")];
        }
        if (errors.Count > 0 || fields is null)
        {
            return new SignupOutcome.Invalid(errors);
        }
        var (keyTaken, usernameTaken) = await accounts.FindTakenAsync(fields.AccountKey, fields.Username);
        if (keyTaken || usernameTaken)
        {
            return Taken(keyTaken, usernameTaken);
        }
        // Hashed on both paths below, so the time of the answer does not tell a known address from a new one.
        var passwordHash = await hasher.HashAsync(request.Password!);
        if (await accounts.FindEmailOwnerAsync(fields.Email) is { } owner)
        {
            await EmailAsync(fields.Email, owner.PreferredLanguage, NotificationPurpose.SignupNotice, "Email_InUse_Subject", "Email_InUse_Body",
                owner.Username, Link("/login"), Link("/forgot-password"));
            await audit.RecordAsync(SignupAuditEvents.SignupEmailInUse, owner.AccountId, owner.UserId, SignupAuditEvents.SelfService, ip: ip);
            return new SignupOutcome.Accepted();
        }
        var now = Now;
        var account = new NewAccount(fields.AccountKey, fields.CompanyName, SignupAuditEvents.SelfService, TermsAcceptedAt: now);
        var manager = ManagerOf(account, fields, passwordHash, language);
        var token = ResetToken.New();
        var lifetime = options.Value.ActivationLifetime;
        switch (await accounts.CreateAsync(account, manager, ResetToken.HashOf(token), now, lifetime))
        {
            case CreateAccountResult.KeyTaken:
                return Taken(keyTaken: true, usernameTaken: false);
            case CreateAccountResult.UsernameTaken:
                return Taken(keyTaken: false, usernameTaken: true);
        }
        await audit.RecordAsync(SignupAuditEvents.AccountCreated, account.Id, manager.Id, SignupAuditEvents.SelfService, ip: ip);
        await EmailAsync(fields.Email, language, NotificationPurpose.AccountActivation, "Email_Activate_Subject", "Email_Activate_Body",
            fields.Username, fields.CompanyName, ((int)lifetime.TotalHours).ToString(CultureInfo.InvariantCulture), Link($"/signup/confirm?token={token}"));
        return new SignupOutcome.Accepted();
    }

    /// <summary>Uses an activation link up; true when it activated the account (false: unknown, used or expired).</summary>
    public async Task<bool> ConfirmAsync(string? token, string? ip)
    {
        if (!ResetToken.IsWellFormed(token) || await accounts.ActivateAsync(ResetToken.HashOf(token!), Now) is not { } activated)
        {
            return false;
        }
        await audit.RecordAsync(SignupAuditEvents.AccountActivated, activated.AccountId, activated.UserId, SignupAuditEvents.SelfService,
            actorId: activated.UserId, ip: ip);
        return true;
    }

    /// <summary>An operator's account: active at once, the manager has no password until they follow the invitation.</summary>
    public async Task<SignupOutcome> ProvisionAsync(OperatorAccountRequest request, string? ip)
    {
        var errors = new Dictionary<string, string[]>();
        var fields = validation.Validate(request.Name, request.Key, request.Username, request.Email, request.Phone, errors, companyField: "name", keyField: "key");
        var language = string.IsNullOrWhiteSpace(request.Language) ? PlatformCultures.Default : request.Language.Trim();
        if (!Cultures.IsSupported(language))
        {
            errors["language"] = [$"One of: {string.Join(", ", Cultures.Supported.Select(c => c.Code))}."];
        }
        if (errors.Count > 0 || fields is null)
        {
            return new SignupOutcome.Invalid(errors);
        }
        var account = new NewAccount(fields.AccountKey, fields.CompanyName, SignupAuditEvents.Operator, TermsAcceptedAt: null);
        var manager = ManagerOf(account, fields, passwordHash: null, Cultures.Normalize(language));
        switch (await accounts.CreateAsync(account, manager, activationHash: null, Now, TimeSpan.Zero))
        {
            case CreateAccountResult.KeyTaken:
                return Taken(keyTaken: true, usernameTaken: false, keyField: "key");
            case CreateAccountResult.UsernameTaken:
                return Taken(keyTaken: false, usernameTaken: true, keyField: "key");
        }
        await audit.RecordAsync(SignupAuditEvents.AccountCreated, account.Id, manager.Id, SignupAuditEvents.Operator, ip: ip);
        var user = await users.FindByIdAsync(manager.Id) ?? throw new InvalidOperationException("The new Account Manager is not readable.");
        await resets.InviteAsync(user, actorId: null, ip);
        return new SignupOutcome.Provisioned(account.Id, manager.Id);
    }

    private static NewUser ManagerOf(NewAccount account, ValidAccountFields fields, string? passwordHash, string language) =>
        new(account.Id, fields.Username, fields.Email, fields.Phone, passwordHash, language, [Roles.AccountManager, Roles.User]);

    private SignupOutcome.Taken Taken(bool keyTaken, bool usernameTaken, string keyField = "accountKey")
    {
        var errors = new Dictionary<string, string[]>();
        if (keyTaken)
        {
            errors[keyField] = [validation.Message("Err_AccountKey_Taken")];
        }
        if (usernameTaken)
        {
            errors["username"] = [validation.Message("Err_Username_Taken")];
        }
        return new SignupOutcome.Taken(errors);
    }

    private Task EmailAsync(string to, string language, NotificationPurpose purpose, string subjectKey, string bodyKey, params object[] arguments)
    {
        var email = emails.Compose(Guid.NewGuid(), to, language, text, subjectKey, bodyKey, purpose, arguments);
        return outbox.PublishAsync(email);
    }

    private Uri Link(string pathAndQuery) => new(platform.Value.PublicOrigin, pathAndQuery);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
