using AccessPlatform.Notifications;

var builder = WebApplication.CreateBuilder(args);
builder.AddBasicServiceDefaults();
builder.AddNotifications();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
