using AccessPlatform.Login.Data;
using AccessPlatform.Login.Flow;
using AccessPlatform.Login.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AccessPlatform.Login.Tests;

/// <summary>The login state machine with fake steps: order, each outcome, a challenge resumed, foreign or expired flows refused.</summary>
public sealed class LoginFlowTests
{
    private static readonly User Alice = new()
    {
        Id = Guid.NewGuid(), AccountId = Guid.NewGuid(), AccountKey = "contoso", AccountName = "Contoso", Username = "alice", Email = "alice@example.test",
        PreferredLanguage = "en", Roles = [Roles.User], WebAccess = true, Status = "active", FailedAttempts = 0, SecurityStamp = Guid.NewGuid(),
        SsoEnforced = false,
    };

    private readonly List<string> trace = [];
    private readonly FakeStore store = new();
    private readonly FakeUsers users = new() { Current = Alice };

    [Fact]
    public async Task Steps_run_in_order_and_the_last_one_signs_in()
    {
        var flow = Flow(new Recording("a", trace), new Credential(trace), new Recording("b", trace), new Session(trace));

        var outcome = await flow.StartAsync("alice", "pw", Http());

        Assert.IsType<LoginOutcome.SignedIn>(outcome);
        Assert.Equal(["a", "credential", "b", "session"], trace);
        Assert.Empty(store.States); // nothing waited, nothing stored
    }

    [Fact]
    public async Task A_failing_step_ends_the_flow_and_no_later_step_runs()
    {
        var flow = Flow(new Credential(trace), new Failing(new LoginOutcome.NoWebAccess()), new Session(trace));

        Assert.IsType<LoginOutcome.NoWebAccess>(await flow.StartAsync("alice", "pw", Http()));
        Assert.DoesNotContain("session", trace);
    }

    [Fact]
    public async Task A_challenge_waits_and_continue_resumes_at_that_step_then_runs_the_rest()
    {
        var code = new CodeStep(trace);
        var flow = Flow(new Credential(trace), code, new Recording("after", trace), new Session(trace));
        var http = Http();

        var challenge = Assert.IsType<LoginOutcome.SecondFactorRequired>(await flow.StartAsync("alice", "pw", http));
        Assert.Single(store.States);
        Assert.DoesNotContain("after", trace);

        var same = Http(BindingFrom(http));
        Assert.IsType<LoginOutcome.WrongCode>(await flow.ContinueAsync(challenge.FlowId, new StepInput.SubmitCode("000000"), same));
        Assert.Single(store.States); // a wrong answer keeps it waiting

        Assert.IsType<LoginOutcome.SignedIn>(await flow.ContinueAsync(challenge.FlowId, new StepInput.SubmitCode("123456"), Http(BindingFrom(http))));
        Assert.Equal(["credential", "code", "continue", "continue", "after", "session"], trace);
        Assert.Empty(store.States); // single use
        Assert.IsType<LoginOutcome.ChallengeGone>(await flow.ContinueAsync(challenge.FlowId, new StepInput.SubmitCode("123456"), Http(BindingFrom(http))));
    }

    [Fact]
    public async Task A_flow_id_from_another_browser_is_refused()
    {
        var flow = Flow(new Credential(trace), new CodeStep(trace), new Session(trace));
        var challenge = (LoginOutcome.SecondFactorRequired)await flow.StartAsync("alice", "pw", Http());

        var attacker = Http(("ap_login_bind", LoginStateStore.NewFlowId()));
        Assert.IsType<LoginOutcome.ChallengeGone>(await flow.ContinueAsync(challenge.FlowId, new StepInput.SubmitCode("123456"), attacker));
        Assert.IsType<LoginOutcome.ChallengeGone>(await flow.ContinueAsync(challenge.FlowId, new StepInput.SubmitCode("123456"), Http()));
        Assert.DoesNotContain("session", trace);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("not/a/flow/id/but/long/enough/to/look/like/one")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // well formed, unknown or expired
    public async Task Malformed_unknown_or_expired_flow_ids_are_gone(string? flowId)
    {
        var flow = Flow(new Credential(trace), new CodeStep(trace), new Session(trace));
        Assert.IsType<LoginOutcome.ChallengeGone>(await flow.ContinueAsync(flowId, new StepInput.SubmitCode("123456"), Http()));
        Assert.IsType<LoginOutcome.ChallengeGone>(await flow.DescribeAsync(flowId, Http()));
    }

    [Fact]
    public async Task A_guard_refusing_the_freshly_read_user_ends_the_waiting_flow()
    {
        var guard = new Guard();
        var flow = Flow(new Credential(trace), guard, new CodeStep(trace), new Session(trace));
        var http = Http();
        var challenge = (LoginOutcome.SecondFactorRequired)await flow.StartAsync("alice", "pw", http);

        users.Current = Alice with { Status = "disabled" };
        guard.Refuse = true;
        Assert.IsType<LoginOutcome.ChallengeGone>(await flow.ContinueAsync(challenge.FlowId, new StepInput.SubmitCode("123456"), Http(BindingFrom(http))));
        Assert.Empty(store.States);
        Assert.Equal("disabled", guard.SeenStatus);
    }

    [Fact]
    public async Task The_sso_entry_starts_after_the_credential_step()
    {
        var flow = Flow(new Recording("budget", trace), new Credential(trace), new Recording("rules", trace), new Session(trace));
        Assert.IsType<LoginOutcome.SignedIn>(await flow.StartSsoAsync(Alice, Http()));
        Assert.Equal(["rules", "session"], trace);
    }

    private LoginFlow Flow(params ILoginStep[] steps) =>
        new(steps, store, users, new LoginBindingCookie(new DevEnvironment()), TimeProvider.System, NullLogger<LoginFlow>.Instance);

    private static DefaultHttpContext Http(params (string Name, string Value)[] cookies)
    {
        var http = new DefaultHttpContext();
        if (cookies.Length > 0)
        {
            http.Request.Headers.Cookie = string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}"));
        }
        return http;
    }

    private static (string, string) BindingFrom(HttpContext http)
    {
        var setCookie = http.Response.Headers.SetCookie.Single(c => c!.StartsWith("ap_login_bind="))!;
        return ("ap_login_bind", setCookie.Split(';')[0]["ap_login_bind=".Length..]);
    }

    private sealed class Recording(string name, List<string> trace) : ILoginStep
    {
        public string Name => name;

        public Task<StepResult> RunAsync(LoginState state, HttpContext http)
        {
            trace.Add(name);
            return Task.FromResult(StepResult.Continue);
        }
    }

    private sealed class Credential(List<string> trace) : ICredentialStep
    {
        public string Name => "credential";

        public Task<StepResult> RunAsync(LoginState state, HttpContext http)
        {
            trace.Add(Name);
            state.User = Alice;
            state.UserId = Alice.Id;
            state.SecurityStamp = Alice.SecurityStamp;
            return Task.FromResult(StepResult.Continue);
        }
    }

    private sealed class Failing(LoginOutcome outcome) : ILoginStep
    {
        public string Name => "failing";

        public Task<StepResult> RunAsync(LoginState state, HttpContext http) => Task.FromResult<StepResult>(new StepResult.Fail(outcome));
    }

    private sealed class Guard : ILoginStep, ILoginGuard
    {
        public bool Refuse { get; set; }
        public string? SeenStatus { get; private set; }
        public string Name => "guard";

        public Task<StepResult> RunAsync(LoginState state, HttpContext http) => Task.FromResult(StepResult.Continue);

        public Task<LoginOutcome?> RecheckAsync(LoginState state)
        {
            SeenStatus = state.User?.Status;
            return Task.FromResult<LoginOutcome?>(Refuse ? new LoginOutcome.ChallengeGone() : null);
        }
    }

    private sealed class CodeStep(List<string> trace) : IInteractiveLoginStep
    {
        public string Name => "code";

        public Task<StepResult> RunAsync(LoginState state, HttpContext http)
        {
            trace.Add(Name);
            return Task.FromResult<StepResult>(new StepResult.Challenge(new LoginOutcome.SecondFactorRequired(state.FlowId, [], "email")));
        }

        public Task<StepResult> ContinueAsync(LoginState state, StepInput input, HttpContext http)
        {
            trace.Add("continue");
            return Task.FromResult(input is StepInput.SubmitCode { Code: "123456" }
                ? StepResult.Continue
                : new StepResult.Challenge(new LoginOutcome.WrongCode()));
        }

        public Task<LoginOutcome> DescribeAsync(LoginState state) =>
            Task.FromResult<LoginOutcome>(new LoginOutcome.SecondFactorPending([], "email", null, null, SecondFactor.DeliveryStatus.None));
    }

    private sealed class Session(List<string> trace) : ILoginStep
    {
        public string Name => "session";

        public Task<StepResult> RunAsync(LoginState state, HttpContext http)
        {
            trace.Add(Name);
            var now = DateTime.UtcNow;
            state.SignedIn = new LoginOutcome.SignedIn("secret", new Sessions.Session("h", Alice.Id, Alice.AccountId, "alice", "contoso", [Roles.User], "en",
                now, now, now.AddHours(1), "test", null, Alice.SecurityStamp, null));
            return Task.FromResult(StepResult.Continue);
        }
    }

    private sealed class FakeStore : ILoginStateStore
    {
        public Dictionary<string, string> States { get; } = [];

        public Task SaveAsync(LoginState state, bool create)
        {
            if (create || States.ContainsKey(state.FlowId))
            {
                States[state.FlowId] = System.Text.Json.JsonSerializer.Serialize(state);
            }
            return Task.CompletedTask;
        }

        public Task<LoginState?> GetAsync(string flowId) =>
            Task.FromResult(States.TryGetValue(flowId, out var json) ? System.Text.Json.JsonSerializer.Deserialize<LoginState>(json) : null);

        public Task<bool> EndAsync(string flowId) => Task.FromResult(States.Remove(flowId));
    }

    private sealed class FakeUsers : ILoginUsers
    {
        public User? Current { get; set; }

        public Task<User?> FindByIdAsync(Guid id) => Task.FromResult(Current?.Id == id ? Current : null);
    }

    private sealed class DevEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;
        public string ApplicationName { get; set; } = "tests";
        public string ContentRootPath { get; set; } = "/";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
