using AccessPlatform.Bench.AspNetIdentityPeer;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

// Stock ASP.NET Core Identity as a new app gets it (MapIdentityApi, EF Core stores, cookie sign-in, lockout on failure),
// on Postgres. LoginBench starts it with:
//   --urls http://127.0.0.1:PORT --ConnectionStrings:peer "Host=..;Database=.." [--Peer:Hasher argon2id]
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddDbContext<PeerDbContext>(options => options.UseNpgsql(
    builder.Configuration.GetConnectionString("peer") ?? throw new InvalidOperationException("ConnectionStrings:peer is required.")));
builder.Services.AddAuthorization();
builder.Services.AddIdentityApiEndpoints<IdentityUser>(options => options.Lockout.AllowedForNewUsers = true)
    .AddEntityFrameworkStores<PeerDbContext>();
if (builder.Configuration["Peer:Hasher"] == "argon2id")
{
    builder.Services.AddScoped<IPasswordHasher<IdentityUser>, Argon2idPasswordHasher<IdentityUser>>();
}

var app = builder.Build();
using (var scope = app.Services.CreateScope())
{
    // Its own database on the bench's Postgres, created with Identity's schema on first start.
    await scope.ServiceProvider.GetRequiredService<PeerDbContext>().Database.EnsureCreatedAsync();
}
app.MapIdentityApi<IdentityUser>();
app.MapGet("/health", () => TypedResults.Text("Healthy")).WithName("Health").WithSummary("Answers once the database exists.");
app.Run();
