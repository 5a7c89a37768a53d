namespace AccessPlatform.Login.Apis;

/// <summary>Ops' own recipients of the dashboard's test messages (entries may also be comma-separated lists).</summary>
public sealed class OpsOptions
{
    public const string Section = "Ops";

    public const string DefaultEmail = "ops@access-platform.local";
    public const string DefaultSms = "+15005550006";

    public string[] TestEmailTo { get; set; } = [];

    public string[] TestSmsTo { get; set; } = [];

    public IReadOnlyList<string> EmailRecipients => Split(TestEmailTo, DefaultEmail);

    public IReadOnlyList<string> SmsRecipients => Split(TestSmsTo, DefaultSms);

    private static string[] Split(string[] entries, string fallback)
    {
        var list = entries.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        return list.Length > 0 ? list : [fallback];
    }
}
