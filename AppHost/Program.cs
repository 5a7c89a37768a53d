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

// Schema first: one run that applies every database's scripts and exits; services start after it completed.
var migrations = builder.AddProject<Projects.Migrations>("migrations", launchProfileName: null)
    .WithReference(loginDb).WaitFor(loginDb)
    .WithReference(ssoDb).WaitFor(ssoDb);

// Services (Replicas:{resource} runs several of each; see Extensions.WithReplicasFromSettings)
var loginApi = builder.AddService<Projects.Login_Api>("login-api")
    .WithReference(loginDb).WaitForCompletion(migrations)
    .WithReference(redis).WaitFor(redis)
    .WithReference(messaging).WaitFor(messaging)
    .WithInternalApiKey(internalApiKey)
    .WithOpsCommands(internalApiKey)
    .WithCreateAccountCommand(internalApiKey)
    .WithReplicasFromSettings();

var ssoApi = builder.AddService<Projects.Sso_Api>("sso-api")
    .WithReference(ssoDb).WaitForCompletion(migrations)
    .WithReference(redis).WaitFor(redis)
    .WithReference(loginApi)
    .WithInternalApiKey(internalApiKey)
    .WithReplicasFromSettings();

builder.AddService<Projects.Notifications_Worker>("notifications-worker")
    .WithReference(messaging).WaitFor(messaging)
    .WithReference(redis).WaitFor(redis)
    .WithReference(mail).WaitFor(mail)
    .WithTwilio(sms)
    .WithInternalApiKey(internalApiKey)
    .WithReplayCommand(internalApiKey)
    .WithReplicasFromSettings();

// The only public entry: one resource per gateway instance (see AddGateways), limits shared through Redis.
builder.AddGateways<Projects.Gateway>("gateway", gateway => gateway
    .WithReference(redis).WaitFor(redis)
    .WithReference(loginApi).WaitFor(loginApi)
    .WithReference(ssoApi).WaitFor(ssoApi));

builder.Build().Run();
