using AccessPlatform.Sso;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSsoServices();

var app = builder.Build();
app.UseExceptionHandler();
app.MapDefaultEndpoints();
app.MapSamlApi();
app.Run();
