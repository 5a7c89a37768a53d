using AccessPlatform.Login;
using AccessPlatform.Login.Apis;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLoginServices();

var app = builder.Build();
await app.InitializeDatabaseAsync();
app.UseLoginPipeline();
app.MapDefaultEndpoints();
app.MapRazorPages();
app.MapAuthApi();
app.MapSessionsApi();
app.MapDevicesApi();
app.MapAuthenticatorApi();
app.MapRecoveryCodesApi();
app.MapReauthenticationApi();
app.MapPasskeysApi();
app.MapPasswordApi();
app.MapAccountApi();
app.MapAdminUsersApi();
app.MapAdminAccountApi();
app.MapOpsApi();
app.MapSsoBridgeApi();
app.MapSignupApi();
app.MapOperatorApi();
app.MapTestingApi();
app.Run();
