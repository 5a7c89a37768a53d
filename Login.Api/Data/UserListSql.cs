using System.Text;
using AccessPlatform.Login.Admin;

namespace AccessPlatform.Login.Data;

/// <summary>
/// The SQL of the admin users list, built from fixed fragments only (values go as parameters). Each filter is left out
/// when unused rather than written as "@x IS NULL OR ...", so every shape of query gets its own prepared plan and that
/// plan can use the indexes of migration 0013. A prefix is a range on lower(column) COLLATE "C": the btree answers it
/// even in a generic plan, where LIKE 'p%' with a parameter could not be turned into an index range.
/// </summary>
public static class UserListSql
{
    /// <summary>The greatest code point: every string starting with p sorts before p || this.</summary>
    private const string MaxChar = "chr(1114111)";

    private static readonly string[] SearchedColumns = ["u.username", "u.email", "u.given_name", "u.family_name"];

    /// <summary>How many users match: no join with accounts unless the status filter needs the account's status.</summary>
    public static string Count(UserListQuery query) =>
        $"SELECT count(*) FROM users u{(query.Status is not null ? " JOIN accounts a ON a.id = u.account_id" : "")} WHERE {Where(query)}";

    /// <summary>
    /// One page, <paramref name="selectUser"/> being "SELECT ... FROM users u JOIN accounts a ...". Without a search the
    /// sort's index is walked. With one, the matches are collected first (a BitmapOr of the four prefix indexes, with
    /// just the sort columns), sorted and cut to the page, and only that page's users are read in full: a generic plan
    /// cannot tell a rare prefix from a common one, and walking the sort index while filtering read the whole account
    /// for a rare prefix (740 ms on 100,000 users, bench/README.md "Admin search plans").
    /// </summary>
    public static string Page(UserListQuery query, string selectUser) => query.Search is null
        ? $"{selectUser} WHERE {Where(query)} ORDER BY {OrderBy(query)} OFFSET @offset LIMIT @limit"
        : $"WITH matches AS MATERIALIZED (SELECT u.id, u.username, u.given_name, u.family_name, u.created_at, u.last_login_at FROM users u" +
          $"{(query.Status is not null ? " JOIN accounts a ON a.id = u.account_id" : "")} WHERE {Where(query)}), " +
          $"page AS (SELECT u.id FROM matches u ORDER BY {OrderBy(query)} OFFSET @offset LIMIT @limit) " +
          $"{selectUser} JOIN page p ON p.id = u.id ORDER BY {OrderBy(query)}";

    private static readonly string SearchCondition = "(" + string.Join(" OR ", SearchedColumns.Select(c =>
        $"(lower({c}) COLLATE \"C\" >= lower(@prefix) COLLATE \"C\" AND lower({c}) COLLATE \"C\" < (lower(@prefix) || {MaxChar}) COLLATE \"C\")")) + ")";

    /// <summary>The WHERE clause (without the keyword) for a query; parameters @accountId, @prefix, @role, @webAccess, @teamId, @now.</summary>
    public static string Where(UserListQuery query)
    {
        var where = new StringBuilder("u.account_id = @accountId");
        if (query.Search is not null)
        {
            where.Append(" AND ").Append(SearchCondition);
        }
        if (query.Role is not null)
        {
            where.Append(" AND @role = ANY (u.roles)");
        }
        if (query.Status is not null)
        {
            // The list shows a user of a disabled account as disabled (SelectUser); the filter follows what it shows.
            where.Append(query.Status == "active" ? " AND u.status = 'active' AND a.status = 'active'" : " AND (u.status = 'disabled' OR a.status <> 'active')");
        }
        if (query.Locked is { } locked)
        {
            where.Append(locked ? " AND u.locked_until > @now" : " AND (u.locked_until IS NULL OR u.locked_until <= @now)");
        }
        if (query.WebAccess is not null)
        {
            where.Append(" AND u.web_access = @webAccess");
        }
        if (query.Team is not null)
        {
            where.Append(" AND EXISTS (SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = u.id AND t.id = @teamId AND t.account_id = @accountId)");
        }
        return where.ToString();
    }

    /// <summary>The ORDER BY list; each matches an index of migration 0013 forwards (asc) or backwards (desc).</summary>
    public static string OrderBy(UserListQuery query)
    {
        var d = query.Descending ? " DESC" : "";
        return query.Sort switch
        {
            UserSort.Name => $"lower(u.family_name) COLLATE \"C\"{d}, lower(u.given_name) COLLATE \"C\"{d}, lower(u.username) COLLATE \"C\"{d}",
            UserSort.LastSignIn => query.Descending ? "u.last_login_at DESC NULLS LAST, u.id DESC" : "u.last_login_at NULLS FIRST, u.id",
            UserSort.Created => $"u.created_at{d}, u.id{d}",
            _ => $"lower(u.username) COLLATE \"C\"{d}",
        };
    }
}
