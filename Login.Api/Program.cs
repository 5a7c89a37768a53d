using AccessPlatform.Login;
using AccessPlatform.Login.Apis;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLoginServices();
builder.AddPlatformOpenApi("login", "Access Platform: Login API",
    "Login (password, second factor, passkeys), sessions, trusted devices, the user's own account, Users & Teams for Account Managers, sign-up.");

var app = builder.Build();
await app.InitializeDatabaseAsync();
app.UseLoginPipeline();
app.MapDefaultEndpoints();
app.MapPlatformOpenApi();
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
