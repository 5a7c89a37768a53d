using System.ComponentModel.DataAnnotations;
using AccessPlatform.Login.Sessions;

namespace AccessPlatform.Login.Tests;

/// <summary>The roles version live sessions compare with the user's current roles, and the session settings' bounds.</summary>
public sealed class SessionUserStateTests
{
    [Fact]
    public void The_roles_version_ignores_order_but_changes_with_any_role()
    {
        var manager = SessionUserState.RolesVersionOf(["AccountManager", "User"]);
        Assert.Equal(manager, SessionUserState.RolesVersionOf(["User", "AccountManager"]));
        Assert.NotEqual(manager, SessionUserState.RolesVersionOf(["User"]));
        Assert.NotEqual(SessionUserState.RolesVersionOf(["User"]), SessionUserState.RolesVersionOf([]));
        // No separator can make one role look like two.
        Assert.NotEqual(manager, SessionUserState.RolesVersionOf(["AccountManager\nUser"]));
        Assert.NotEqual(manager, SessionUserState.RolesVersionOf(["AccountManager,User"]));
    }

    [Theory]
    [InlineData(31, 50)]
    [InlineData(-1, 50)]
    [InlineData(30, 0)]
    public void A_user_state_cache_above_30_seconds_or_no_session_cap_is_refused(int cacheSeconds, int maxPerUser)
    {
        var options = new SessionLifetimeOptions { UserStateCacheSeconds = cacheSeconds, MaxPerUser = maxPerUser };
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
        var defaults = new SessionLifetimeOptions();
        Assert.True(Validator.TryValidateObject(defaults, new ValidationContext(defaults), null, validateAllProperties: true));
    }
}
