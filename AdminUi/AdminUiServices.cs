using AccessPlatform.AdminUi;

namespace Microsoft.Extensions.DependencyInjection;

public static class AdminUiServices
{
    /// <summary>The shared admin layout (<c>_AdminLayout</c>); <paramref name="languageAction"/> is where its language selector posts.</summary>
    public static IServiceCollection AddAdminUi(this IServiceCollection services, string languageAction)
    {
        services.AddOptions<AdminUiOptions>().Configure(o => o.LanguageAction = languageAction);
        return services;
    }
}
