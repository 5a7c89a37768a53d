using AccessPlatform.Login.Audit;

namespace AccessPlatform.Login.Tests;

/// <summary>The audit export's cells: RFC 4180 quoting and CSV-injection-safe (OWASP "CSV Injection").</summary>
public sealed class AuditCsvTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("\r=1", "\"'\r=1\"")]
    public void A_cell_a_spreadsheet_would_run_as_a_formula_starts_with_a_quote(string value, string cell) =>
        Assert.Equal(cell, AuditCsv.Cell(value));

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("login.failed", "login.failed")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("Zoë Müller", "Zoë Müller")]
    public void Other_cells_are_quoted_only_when_rfc_4180_needs_it(string? value, string cell) =>
        Assert.Equal(cell, AuditCsv.Cell(value));

    [Fact]
    public void A_row_has_every_column_in_the_header_order_and_ends_with_crlf()
    {
        var id = Guid.NewGuid();
        var row = AuditCsv.Row(new AuditExportRow(7, new DateTime(2026, 12, 1, 13, 5, 9, DateTimeKind.Utc), "admin.user_disabled", id, "bob",
            "-Bob", null, null, null, "10.0.0.1", "0af7651916cd43dd8448eb211c80319c"));

        Assert.Equal($"2026-12-01T13:05:09Z,admin.user_disabled,{id},bob,'-Bob,,,,10.0.0.1,0af7651916cd43dd8448eb211c80319c\r\n", row);
        Assert.Equal(AuditCsv.Columns.Length, AuditCsv.Header.Split(',').Length);
        Assert.Equal(AuditCsv.Columns.Length, AuditCsv.CappedNote.Split(',').Length);
    }
}
