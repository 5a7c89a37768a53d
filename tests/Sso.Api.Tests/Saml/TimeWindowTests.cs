using AccessPlatform.Sso.Login;
using Sso.Api.Saml;
using static Sso.Api.Tests.Saml.TestIdp;

namespace Sso.Api.Tests.Saml;

/// <summary>Issue 12, finding 5: IssueInstant, AuthnInstant, SessionNotOnOrAfter and how long a replay entry lives.</summary>
public class TimeWindowTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(2);

    private static void AssertRejected(SamlFailureReason expected, SamlValidationResult result)
    {
        Assert.False(result.Succeeded);
        Assert.Equal(expected, result.Reason);
    }

    [Fact]
    public void A_year_old_assertion_that_claims_to_be_valid_for_two_years_is_refused_as_stale()
    {
        var spec = new ResponseSpec
        {
            IssueInstant = Now.AddYears(-1), NotBefore = Now.AddYears(-1), NotOnOrAfter = Now.AddYears(1), ConfirmationNotOnOrAfter = Now.AddYears(1),
        };

        var result = Validate(SignedAssertionResponse(spec), Context());

        AssertRejected(SamlFailureReason.Stale, result);
        Assert.Equal("saml-stale", SamlLoginApi.ReasonCode(result.Reason));
    }

    [Fact]
    public void An_assertion_issued_ten_minutes_ago_is_refused_as_stale()
    {
        var spec = new ResponseSpec { IssueInstant = Now.AddMinutes(-10), NotBefore = Now.AddMinutes(-11) };

        AssertRejected(SamlFailureReason.Stale, Validate(SignedAssertionResponse(spec), Context()));
    }

    [Fact]
    public void A_fresh_assertion_inside_a_stale_response_envelope_is_refused()
    {
        var spec = new ResponseSpec { ResponseIssueInstant = Now.AddMinutes(-10) };

        AssertRejected(SamlFailureReason.Stale, Validate(SignedAssertionResponse(spec), Context()));
    }

    [Fact]
    public void An_assertion_issued_within_five_minutes_plus_the_skew_is_accepted()
    {
        var spec = new ResponseSpec { IssueInstant = Now.AddMinutes(-6.5), NotBefore = Now.AddMinutes(-7) };

        Assert.True(Validate(SignedAssertionResponse(spec), Context()).Succeeded);
    }

    [Fact]
    public void An_assertion_issued_in_the_future_beyond_the_skew_is_refused()
    {
        var spec = new ResponseSpec { IssueInstant = Now.AddMinutes(3) };

        AssertRejected(SamlFailureReason.NotYetValid, Validate(SignedAssertionResponse(spec), Context()));
    }

    [Fact]
    public void An_authentication_instant_in_the_future_is_refused()
    {
        var spec = new ResponseSpec { AuthnInstant = Now.AddMinutes(10) };

        AssertRejected(SamlFailureReason.NotYetValid, Validate(SignedAssertionResponse(spec), Context()));
    }

    [Fact]
    public void An_authentication_at_the_idp_hours_ago_is_accepted_because_single_sign_on_reuses_it()
    {
        var spec = new ResponseSpec { AuthnInstant = Now.AddHours(-8) };

        Assert.True(Validate(SignedAssertionResponse(spec), Context()).Succeeded);
    }

    [Fact]
    public void An_assertion_whose_idp_session_has_already_ended_is_refused()
    {
        var spec = new ResponseSpec { SessionNotOnOrAfter = Now.AddMinutes(-3) };

        AssertRejected(SamlFailureReason.Expired, Validate(SignedAssertionResponse(spec), Context()));
    }

    [Fact]
    public void Session_not_on_or_after_is_handed_on_with_the_identity()
    {
        var spec = new ResponseSpec { SessionNotOnOrAfter = Now.AddHours(1) };

        var result = Validate(SignedAssertionResponse(spec), Context());

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(Now.AddHours(1), result.Identity.SessionNotOnOrAfter);
    }

    [Fact]
    public void The_replay_entry_lives_until_the_latest_bound_of_the_assertion_plus_the_skew()
    {
        // The first bearer confirmation passes and ends first; the second would still pass later on its own.
        var spec = new ResponseSpec
        {
            NotOnOrAfter = Now.AddMinutes(4),
            ConfirmationNotOnOrAfter = Now.AddMinutes(2),
            SecondConfirmationNotOnOrAfter = Now.AddMinutes(3),
        };
        var replay = new ReplayStore();

        Assert.True(Validate(SignedAssertionResponse(spec), Context(replay: replay)).Succeeded);

        Assert.Equal(Now.AddMinutes(4) + Skew, replay.Seen[spec.AssertionId]);
    }

    [Fact]
    public void The_replay_entry_of_a_later_bearer_confirmation_outlives_the_conditions()
    {
        var spec = new ResponseSpec
        {
            NotOnOrAfter = Now.AddMinutes(2),
            ConfirmationNotOnOrAfter = Now.AddMinutes(1),
            SecondConfirmationNotOnOrAfter = Now.AddMinutes(4),
        };
        var replay = new ReplayStore();

        Assert.True(Validate(SignedAssertionResponse(spec), Context(replay: replay)).Succeeded);

        Assert.Equal(Now.AddMinutes(4) + Skew, replay.Seen[spec.AssertionId]);
    }

    [Fact]
    public void A_far_not_on_or_after_keeps_the_replay_entry_only_until_the_assertion_turns_stale()
    {
        var spec = new ResponseSpec { NotOnOrAfter = Now.AddDays(30), ConfirmationNotOnOrAfter = Now.AddDays(30) };
        var replay = new ReplayStore();

        Assert.True(Validate(SignedAssertionResponse(spec), Context(replay: replay)).Succeeded);

        Assert.Equal(Now + SamlResponseValidator.MaxIssueAge + Skew, replay.Seen[spec.AssertionId]);
    }

    [Fact]
    public void A_replay_ttl_is_the_time_left_and_never_below_a_second()
    {
        Assert.Equal(TimeSpan.FromMinutes(7), SamlState.ReplayTtl(Now.AddMinutes(7), Now));
        Assert.Equal(TimeSpan.FromSeconds(1), SamlState.ReplayTtl(Now.AddMinutes(-1), Now));
    }
}
