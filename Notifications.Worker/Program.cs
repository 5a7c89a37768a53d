using AccessPlatform.Notifications;

var builder = WebApplication.CreateBuilder(args);
builder.AddBasicServiceDefaults();
builder.AddNotifications();

builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.MapDefaultEndpoints();
app.MapOpsApi();
app.Run();
