using AccessPlatform.TwilioSink;

// A stand-in for Twilio's 2010-04-01 Messages resource, for dev and tests only: it records every SMS the real
// Twilio SDK sends and shows them in a page. It is never part of what production deploys.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddSingleton<SmsStore>();
builder.Services.AddOptions<SinkOptions>().BindConfiguration("Twilio");

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTwilioMessagesApi();
app.Run();
