using AccessPlatform.Gateway;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseGateway();
app.MapDefaultEndpoints();
app.MapApiReference();
// Its route templates ("/api/auth/{**rest}") would make a login, a code request and a verify look alike.
app.MapReverseProxy().Add(endpoint => endpoint.Metadata.Add(new SpanNamedByPath()));
app.Run();
