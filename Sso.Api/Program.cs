using AccessPlatform.Sso;
using AccessPlatform.Sso.Admin;
using AccessPlatform.Sso.Login;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSsoServices();

var app = builder.Build();
app.InitializeDatabase();
app.UseSsoPipeline();
app.MapDefaultEndpoints();
app.MapRazorPages();
app.MapSamlApi();
app.MapAdminSsoApi();
app.MapAdminSpCertificatesApi();
app.Run();
