namespace AccessPlatform.Login.Notifications;

/// <summary>
/// The origin-bound one-time code line of an SMS (WICG "Origin-bound one-time codes delivered via SMS", used by WebOTP
/// and by Safari's one-time-code autofill): the message's last line is <c>@host #code</c>, so the browser offers the
/// code on our site only. The host is the public origin's host alone: the format has no scheme and no port.
/// </summary>
public static class OriginBoundCode
{
    public static string Line(Uri publicOrigin, string code) => $"@{publicOrigin.IdnHost} #{code}";

    public static string Append(string message, Uri publicOrigin, string code) => $"{message}\n\n{Line(publicOrigin, code)}";
}
