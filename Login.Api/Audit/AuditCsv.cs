using System.Globalization;
using System.Text;

namespace AccessPlatform.Login.Audit;

/// <summary>One exported audit event with the names of its user and actor as the account knows them.</summary>
public sealed record AuditExportRow(
    long Id, DateTime OccurredAt, string Type, Guid? UserId, string? Username, string? UserName, Guid? ActorId, string? ActorUsername,
    string? Reason, string? Ip, string? TraceId);

/// <summary>
/// The audit log as CSV (RFC 4180, UTF-8 with BOM so spreadsheets read the names right). A cell that a spreadsheet
/// would run as a formula (starting with = + - @, tab or carriage return) is prefixed with a quote (OWASP CSV
/// injection): a name an IdP asserted, like <c>=HYPERLINK(...)</c>, stays text.
/// </summary>
public static class AuditCsv
{
    /// <summary>Rows per export at most: a bigger range is narrowed with the filters (the file says when it was capped).</summary>
    public const int MaxRows = 10_000;

    public static readonly string[] Columns =
        ["occurred_at_utc", "type", "user_id", "username", "user_name", "actor_id", "actor_username", "reason", "ip", "trace_id"];

    public static string Header => Line(Columns);

    public static string Row(AuditExportRow e) => Line([
        e.OccurredAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), e.Type, e.UserId?.ToString(), e.Username,
        e.UserName, e.ActorId?.ToString(), e.ActorUsername, e.Reason, e.Ip, e.TraceId,
    ]);

    /// <summary>The last line of a capped export: the same columns, the note in the first.</summary>
    public static string CappedNote => Line([$"# capped: only the newest {MaxRows} events matching the filters; narrow the time range for the rest",
        .. Enumerable.Repeat<string?>(null, Columns.Length - 1)]);

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    private static string Line(IEnumerable<string?> cells)
    {
        var line = new StringBuilder();
        line.AppendJoin(',', cells.Select(Cell)).Append("\r\n");
        return line.ToString();
    }
}
