using AccessPlatform.Sso;
using AccessPlatform.Sso.Admin;
using AccessPlatform.Sso.Login;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSsoServices();

var app = builder.Build();
app.UseSsoPipeline();
app.MapDefaultEndpoints();
app.MapRazorPages();
app.MapSamlApi();
app.MapAdminSsoApi();
app.Run();
