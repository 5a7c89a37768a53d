using AccessPlatform.Contracts;
using AccessPlatform.Notifications.Delivery;
using MassTransit;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Http;

namespace AccessPlatform.Notifications;

public static class NotificationsExtensions
{
    /// <summary>
    /// <c>/internal/ops</c> backs the dashboard's "Replay error queues" command; never routed by the gateway, and only
    /// with the internal key (the AppHost's command sends it).
    /// </summary>
    public static void MapOpsApi(this WebApplication app) =>
        app.MapInternalGroup("/internal/ops").WithTags("Ops").MapPost("/replay-errors", async (ErrorQueueReplay replay, CancellationToken ct) => TypedResults.Ok(await replay.ReplayAsync(ct)))
            .WithName("ReplayErrorQueues");

    public static void AddNotifications(this WebApplicationBuilder builder)
    {
        builder.AddPlatformRedisClient("redis");
        builder.AddDependencyUnavailableHandling();
        // The raw connection the error-queue replay uses; MassTransit keeps its own for consuming.
        builder.AddRabbitMQClient("messaging");
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section);
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<TwilioOptions>().BindConfiguration(TwilioOptions.Section);
        builder.Services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.Section);
        builder.Services.AddSingleton<NotificationMetrics>();
        builder.Services.AddSingleton<DeliveryLedger>();
        builder.Services.AddSingleton<ErrorQueueReplay>();
        builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        builder.Services.AddSingleton<ISmsSender, TwilioSmsSender>();

        // The Twilio SDK has no base-URL setting: a handler points it at TwilioOptions.BaseAddress when one is set.
        builder.Services.AddTransient<TwilioBaseAddressHandler>();
        builder.Services.AddHttpClient(TwilioSmsSender.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(15))
            .AddHttpMessageHandler<TwilioBaseAddressHandler>();
        builder.Services.AddSingleton<ITwilioRestClient>(sp =>
        {
            var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TwilioOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(TwilioSmsSender.HttpClientName);
            return new TwilioRestClient(options.AccountSid, options.AuthToken, httpClient: new SystemNetHttpClient(http));
        });

        var messaging = builder.Configuration.GetConnectionString("messaging")
            ?? throw new InvalidOperationException("Connection string 'messaging' is missing.");
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConsumer<SendEmailConsumer, DeliveryConsumerDefinition<SendEmailConsumer>>();
            bus.AddConsumer<SendSmsConsumer, DeliveryConsumerDefinition<SendSmsConsumer>>();
            bus.AddConsumer<DeliveryFaultConsumer>();
            // Messaging:QuorumQueues: every receive endpoint's queue (and MassTransit's _error/_skipped queues next to it) is a quorum queue.
            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint && context.GetRequiredService<IOptions<MessagingOptions>>().Value.QuorumQueues)
                {
                    rabbitEndpoint.SetQuorumQueue();
                }
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(messaging));
                rabbit.ConfigureEndpoints(context);
            });
        });
    }
}
