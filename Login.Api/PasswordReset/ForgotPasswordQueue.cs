using System.Diagnostics;
using System.Threading.Channels;

namespace AccessPlatform.Login.PasswordReset;

/// <summary>A forgot-password request waiting for the background worker; the trace parent links its audit events to the request.</summary>
public sealed record ForgotRequest(string UsernameOrEmail, string? Ip, string? TraceParent);

/// <summary>
/// Why a queue: the answer to "forgot password" must not tell whether an account exists, is locked, disabled or
/// SSO-only (ASVS 6.3.8). Looking the user up, issuing the token and publishing the email take different time
/// for each case, so the endpoint only enqueues and answers at once; timing is then the same for every input.
/// A full queue drops the request (the answer is still the same; the gateway's per-IP limit keeps it from filling).
/// </summary>
public sealed class ForgotPasswordQueue
{
    private readonly Channel<ForgotRequest> channel = Channel.CreateBounded<ForgotRequest>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Enqueue(ForgotRequest request) => channel.Writer.TryWrite(request);

    public IAsyncEnumerable<ForgotRequest> ReadAllAsync(CancellationToken cancellationToken) => channel.Reader.ReadAllAsync(cancellationToken);
}

public sealed partial class ForgotPasswordWorker(ForgotPasswordQueue queue, IServiceScopeFactory scopes, ILogger<ForgotPasswordWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var request in queue.ReadAllAsync(stoppingToken))
        {
            using var activity = new Activity("forgot-password");
            if (request.TraceParent is not null)
            {
                activity.SetParentId(request.TraceParent);
            }
            activity.Start();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<PasswordResets>().HandleForgotAsync(request.UsernameOrEmail, request.Ip);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The exception type only: messages of data-layer errors can carry parameter values.
                LogFailed(logger, ex.GetType().Name);
            }
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "A forgot-password request failed: {ErrorType}")]
    private static partial void LogFailed(ILogger logger, string errorType);
}
