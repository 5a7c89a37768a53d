using AccessPlatform.Login.Admin;
using AccessPlatform.Login.Data;

namespace AccessPlatform.Login.Tests;

/// <summary>The users list's query: only known values pass, and every shape of SQL carries values only as parameters.</summary>
public sealed class UserListQueryTests
{
    private static (UserListQuery Query, Dictionary<string, string[]> Errors) Parse(string? search = null, string? role = null, string? status = null,
        string? sort = null, string? direction = null, int? page = null, int? pageSize = null) =>
        UserListQuery.TryParse(search, role, status, null, null, null, sort, direction, page, pageSize, defaultPageSize: 25);

    [Fact]
    public void Known_values_pass_and_are_read_case_insensitively_where_they_name_a_choice()
    {
        var (query, errors) = Parse(search: "  ann  ", role: "AccountManager", status: "disabled", sort: "LASTSIGNIN", direction: "DESC", page: 3, pageSize: 10);

        Assert.Empty(errors);
        Assert.Equal(new UserListQuery("ann", "AccountManager", "disabled", Sort: UserSort.LastSignIn, Descending: true, Page: 3, PageSize: 10), query);
        Assert.Equal(20, query.Offset);
        Assert.Equal("lastSignIn", query.SortName);
    }

    [Theory]
    [InlineData("sort", "password_hash")]
    [InlineData("sort", "username desc")]
    [InlineData("direction", "up")]
    [InlineData("status", "deleted")]
    [InlineData("role", "Root")]
    public void An_unknown_choice_is_an_error_under_its_name_and_the_default_is_used(string parameter, string value)
    {
        var (query, errors) = parameter switch
        {
            "sort" => Parse(sort: value),
            "direction" => Parse(direction: value),
            "status" => Parse(status: value),
            _ => Parse(role: value),
        };

        Assert.Equal([parameter], errors.Keys);
        Assert.Equal(new UserListQuery(PageSize: 25), query);
    }

    [Fact]
    public void Out_of_range_paging_and_oversized_or_control_character_searches_are_errors()
    {
        Assert.Equal(["page", "pageSize"], Parse(page: 0, pageSize: 201).Errors.Keys.Order());
        Assert.Equal(["search"], Parse(search: new string('a', 257)).Errors.Keys);
        Assert.Equal(["search"], Parse(search: "a\u0000b").Errors.Keys);
    }

    [Fact]
    public void The_sql_holds_no_typed_value_only_parameters()
    {
        var query = new UserListQuery("x'; DROP TABLE users; --", "AccountManager", "active", true, false, Guid.NewGuid(), UserSort.Name, true);

        var sql = UserListSql.Page(query, "SELECT u.* FROM users u JOIN accounts a ON a.id = u.account_id") + UserListSql.Count(query);

        Assert.DoesNotContain("DROP", sql);
        Assert.DoesNotContain(query.Team.ToString()!, sql);
        Assert.Contains("@prefix", sql);
        Assert.Contains("WITH matches AS MATERIALIZED", sql);
    }
}
