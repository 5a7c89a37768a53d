using MassTransit;

namespace AccessPlatform.Login;

public static class LoginServices
{
    public static void AddLoginServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(builder.Configuration.GetConnectionString("messaging")
                    ?? throw new InvalidOperationException("Connection string 'messaging' is missing.")));
                rabbit.ConfigureEndpoints(context);
            });
        });
    }

    public static void UseLoginPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
    }
}
