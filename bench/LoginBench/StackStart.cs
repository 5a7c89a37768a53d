using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

/// <summary>
/// Waits for the services to answer healthy. On a busy machine a service can exit at start-up (its first Postgres
/// connection timing out); such a resource is started again, a few times, as the integration tests do.
/// </summary>
internal static class StackStart
{
    public static async Task<bool> WaitHealthyAsync(DistributedApplication app, TimeSpan patience, params string[] resources)
    {
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var restarts = resources.ToDictionary(r => r, _ => 0);
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            var healthy = 0;
            foreach (var resource in resources)
            {
                if (!app.ResourceNotifications.TryGetCurrentState(resource, out var current))
                {
                    continue;
                }
                if (current.Snapshot.HealthStatus == HealthStatus.Healthy && current.Snapshot.State?.Text == KnownResourceStates.Running)
                {
                    healthy++;
                }
                else if (current.Snapshot.State?.Text is { } state && (state == KnownResourceStates.Exited || state == KnownResourceStates.FailedToStart
                         || state == KnownResourceStates.Finished) && restarts[resource] < 3)
                {
                    restarts[resource]++;
                    await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
                }
            }
            if (healthy == resources.Length)
            {
                return true;
            }
            await Task.Delay(500);
        }
        return false;
    }
}
