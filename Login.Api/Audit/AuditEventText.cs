using Microsoft.Extensions.Localization;

namespace AccessPlatform.Login.Audit;

/// <summary>
/// Audit event types and reason codes as shown to people (the audit page), in the request's language. Stored values
/// stay stable strings; an unknown type or code (a newer service, an old row) is shown as stored.
/// </summary>
public static class AuditEventText
{
    public const string EventPrefix = "Event_";
    public const string ReasonPrefix = "Reason_";

    public static string Event(IStringLocalizer<AdminResource> text, string type) => Lookup(text, EventPrefix + type) ?? type;

    /// <summary>
    /// A whole known reason, else each known part of a composite one ("self-service:throttled"); values such as
    /// "team=…" or a device label stay as they are.
    /// </summary>
    public static string? Reason(IStringLocalizer<AdminResource> text, string? reason)
    {
        if (string.IsNullOrEmpty(reason))
        {
            return reason;
        }
        return Lookup(text, ReasonPrefix + reason)
            ?? string.Join(": ", reason.Split(':').Select(part => Lookup(text, ReasonPrefix + part) ?? part));
    }

    private static string? Lookup(IStringLocalizer<AdminResource> text, string key) => text[key] is { ResourceNotFound: false } found ? found.Value : null;
}
