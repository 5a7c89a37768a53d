using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

/// <summary>Login.Api's testing routes need the internal key, as every /internal route: the AppHost's generated one.</summary>
internal static class InternalClient
{
    public static async Task<HttpClient> LoginApiAsync(DistributedApplication app)
    {
        var key = await app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<ParameterResource>().Single(r => r.Name == "internal-api-key").GetValueAsync(CancellationToken.None);
        var client = app.CreateHttpClient("login-api", "http");
        client.DefaultRequestHeaders.Add(AccessPlatform.Contracts.InternalApi.KeyHeader, key);
        return client;
    }
}
