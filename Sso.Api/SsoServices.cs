namespace AccessPlatform.Sso;

public static class SsoServices
{
    public static void AddSsoServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.AddNpgsqlDataSource("sso-db");
        builder.AddRedisClient("redis");
    }

    public static IEndpointRouteBuilder MapSamlApi(this IEndpointRouteBuilder app)
    {
        var saml = app.MapGroup("/login/saml/{account}").WithTags("SAML");
        // Until an account's identity provider is configured, every account answers with the same friendly page.
        saml.MapGet("/", (string account) => TypedResults.Content(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Single sign-on</title></head><body>" +
            "<h1>Single sign-on is not available</h1><p>Single sign-on is not set up for this address. " +
            "Please sign in with your username and password, or contact your account manager.</p><p><a href=\"/login\">Sign in</a></p></body></html>",
            "text/html; charset=utf-8", statusCode: 404));
        return app;
    }
}
