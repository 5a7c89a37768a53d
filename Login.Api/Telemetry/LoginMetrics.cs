using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AccessPlatform.Login.Telemetry;

/// <summary>Login metrics (see docs/operations.md). Tags never carry a user identifier.</summary>
public sealed class LoginMetrics
{
    public const string MeterName = "AccessPlatform.Login";

    private readonly Counter<long> attempts;
    private readonly Counter<long> lockouts;
    private readonly Counter<long> codesIssued;
    private readonly Histogram<double> hashDuration;
    private readonly Histogram<double> hashCpu;
    private long hashes;
    private long hashCpuMicroseconds;
    private readonly UpDownCounter<long> hashQueue;
    private readonly UpDownCounter<long> sessions;
    private readonly Counter<long> resetsRequested;
    private readonly Counter<long> resetsCompleted;
    private readonly Counter<long> ssoLogins;

    public LoginMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        attempts = meter.CreateCounter<long>("login.attempts", description: "Login attempts by outcome");
        lockouts = meter.CreateCounter<long>("login.lockouts", description: "Accounts locked after repeated failures");
        codesIssued = meter.CreateCounter<long>("login.codes.issued", description: "One-time codes issued by channel");
        hashDuration = meter.CreateHistogram<double>("login.password_hash.duration", unit: "ms", description: "Time of one Argon2id hash");
        hashCpu = meter.CreateHistogram<double>("login.password_hash.cpu_time", unit: "ms",
            description: "CPU time of one Argon2id hash on its thread (Linux), apart from the time it waited for a core");
        hashQueue = meter.CreateUpDownCounter<long>("login.password_hash.queue", description: "Logins waiting for a hashing slot");
        sessions = meter.CreateUpDownCounter<long>("login.sessions.active", description: "Sessions issued minus sessions ended by this instance");
        resetsRequested = meter.CreateCounter<long>("login.password_resets.requested", description: "Reset links requested (self-service or admin)");
        resetsCompleted = meter.CreateCounter<long>("login.password_resets.completed", description: "Passwords set through a reset or invitation link");
        ssoLogins = meter.CreateCounter<long>("login.sso.logins", description: "SAML sign-ins by outcome (success or the refusal reason code)");
    }

    public void Attempt(string outcome) => attempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Lockout() => lockouts.Add(1);

    public void CodeIssued(string channel) => codesIssued.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public void HashDuration(TimeSpan elapsed) => hashDuration.Record(elapsed.TotalMilliseconds);

    public void HashCpu(double milliseconds)
    {
        hashCpu.Record(milliseconds);
        Interlocked.Increment(ref hashes);
        Interlocked.Add(ref hashCpuMicroseconds, (long)(milliseconds * 1000));
    }

    /// <summary>Hashes and their CPU time since start (the login benchmark reads them through the testing API).</summary>
    public (long Hashes, double CpuMs) HashTotals() => (Interlocked.Read(ref hashes), Interlocked.Read(ref hashCpuMicroseconds) / 1000.0);

    public void HashQueued(int delta) => hashQueue.Add(delta);

    public void SessionStarted() => sessions.Add(1);

    public void SessionEnded() => sessions.Add(-1);

    public void ResetRequested() => resetsRequested.Add(1);

    public void ResetCompleted() => resetsCompleted.Add(1);

    public void SsoLogin(string outcome) => ssoLogins.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}

/// <summary>Spans for each login step, under the request span, so one login reads as one trace.</summary>
public static class LoginActivity
{
    public static readonly ActivitySource Source = new("AccessPlatform.Login");
}
