using System.Globalization;
using AccessPlatform.Login.Audit;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AccessPlatform.Login.Tests;

/// <summary>The audit page's names for event types and reasons: translated when known, shown as stored when not.</summary>
public sealed class AuditEventTextTests
{
    private static readonly IStringLocalizer<AdminResource> Text = new StringLocalizer<AdminResource>(
        new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance));

    [Fact]
    public void A_known_event_and_reason_are_shown_in_the_request_language() => InCulture("de", () =>
    {
        Assert.Equal("Anmeldung fehlgeschlagen", AuditEventText.Event(Text, AuditEvents.LoginFailed));
        Assert.Equal("falsches Passwort", AuditEventText.Reason(Text, "bad-password"));
    });

    [Fact]
    public void A_composite_reason_translates_its_known_parts_and_keeps_the_rest() => InCulture("de", () =>
    {
        Assert.Equal("Self-Service: gedrosselt", AuditEventText.Reason(Text, "self-service:throttled"));
        Assert.Equal("team=4f0c", AuditEventText.Reason(Text, "team=4f0c"));
    });

    [Fact]
    public void An_unknown_event_or_reason_is_shown_as_stored() => InCulture("ja", () =>
    {
        Assert.Equal("future.event_type", AuditEventText.Event(Text, "future.event_type"));
        Assert.Equal("some-new-code", AuditEventText.Reason(Text, "some-new-code"));
        Assert.Null(AuditEventText.Reason(Text, null));
    });

    private static void InCulture(string culture, Action action)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo(culture);
        try
        {
            action();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
