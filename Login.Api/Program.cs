using AccessPlatform.Login;
using AccessPlatform.Login.Apis;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLoginServices();

var app = builder.Build();
app.UseLoginPipeline();
app.MapDefaultEndpoints();
app.MapOpsApi();
app.Run();
