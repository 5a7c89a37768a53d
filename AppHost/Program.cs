using AccessPlatform.AppHost;
using AccessPlatform.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure: containers where a runtime answers, local processes otherwise (Infrastructure/).
var infrastructure = builder.AddInfrastructure();
var postgres = infrastructure.AddPostgres("postgres");
var loginDb = infrastructure.AddDatabase(postgres, "login-db");
var ssoDb = infrastructure.AddDatabase(postgres, "sso-db");
var redis = infrastructure.AddRedis("redis");
var messaging = infrastructure.AddRabbitMQ("messaging");
var mail = infrastructure.AddMailCatcher("mail", builder.DevPort("MailPort"));
var sms = builder.AddTwilioSink("twilio-sink");

// Service-to-service secret every /internal route of every service requires: generated per run unless configured.
var internalApiKey = builder.AddParameter("internal-api-key", new GenerateParameterDefault { MinLength = 43, Special = false }, secret: true);

// Services
var loginApi = builder.AddService<Projects.Login_Api>("login-api")
    .WithReference(loginDb).WaitFor(loginDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(messaging).WaitFor(messaging)
    .WithInternalApiKey(internalApiKey)
    .WithOpsCommands(internalApiKey)
    .WithCreateAccountCommand(internalApiKey);

var ssoApi = builder.AddService<Projects.Sso_Api>("sso-api")
    .WithReference(ssoDb).WaitFor(ssoDb)
    .WithReference(redis).WaitFor(redis)
    .WithReference(loginApi)
    .WithInternalApiKey(internalApiKey);

builder.AddService<Projects.Notifications_Worker>("notifications-worker")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(redis).WaitFor(redis)
    .WithReference(mail).WaitFor(mail)
    .WithTwilio(sms)
    .WithInternalApiKey(internalApiKey)
    .WithReplayCommand(internalApiKey);

// The only public entry.
builder.AddGateway<Projects.Gateway>("gateway")
    .WithReference(loginApi).WaitFor(loginApi)
    .WithReference(ssoApi).WaitFor(ssoApi);

builder.Build().Run();
