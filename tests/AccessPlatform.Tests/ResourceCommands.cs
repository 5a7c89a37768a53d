using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AccessPlatform.Tests;

/// <summary>Stops and starts an AppHost resource (Redis, Postgres, the broker) as the dashboard's buttons do.</summary>
public static class ResourceCommands
{
    public static async Task StopResourceAsync(this PlatformFixture platform, string resource)
    {
        // A service still reconnecting (after an earlier outage test) may refuse the first stop: ask again.
        var commands = platform.App.Services.GetRequiredService<ResourceCommandService>();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if ((await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand)).Success)
            {
                break;
            }
            await Task.Delay(2000);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await platform.App.ResourceNotifications.WaitForResourceAsync(resource, [KnownResourceStates.Finished, KnownResourceStates.Exited], timeout.Token);
    }

    public static async Task StartResourceAsync(this PlatformFixture platform, string resource)
    {
        // A server restarted right after it stopped may still find its port or node name taken and fail to start:
        // start it again, a few times, as an operator pressing the button again would.
        for (var attempt = 1; ; attempt++)
        {
            var result = await platform.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
            Assert.True(result.Success, result.Message);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await platform.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                break;
            }
            catch (Aspire.Hosting.DistributedApplicationException) when (attempt < 3)
            {
                await Task.Delay(3000);
            }
        }
        // Tests that read a database directly pool connections in this process; those died with the old server.
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Waits until each service's readiness answers 200 again, so the next test meets a whole stack.</summary>
    public static async Task WaitForServicesReadyAsync(this PlatformFixture platform, params string[] services)
    {
        foreach (var service in services)
        {
            using var client = platform.ResourceClient(service);
            var status = HttpStatusCode.ServiceUnavailable;
            for (var attempt = 0; attempt < 120 && status != HttpStatusCode.OK; attempt++)
            {
                try
                {
                    status = (await client.GetAsync("/health")).StatusCode;
                }
                catch (HttpRequestException)
                {
                }
                if (status != HttpStatusCode.OK)
                {
                    await Task.Delay(500);
                }
            }
            Assert.Equal(HttpStatusCode.OK, status);
        }
    }
}
