using AccessPlatform.Sso;
using AccessPlatform.Sso.Admin;
using AccessPlatform.Sso.Login;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSsoServices();
builder.AddPlatformOpenApi("sso", "Access Platform: SSO API",
    "SAML 2.0 single sign-on per customer account (SP-initiated login, ACS, SP metadata) and its settings for Account Managers.");

var app = builder.Build();
app.InitializeDatabase();
app.UseSsoPipeline();
app.MapDefaultEndpoints();
app.MapPlatformOpenApi();
app.MapRazorPages();
app.MapSamlApi();
app.MapAdminSsoApi();
app.MapAdminSpCertificatesApi();
app.Run();
