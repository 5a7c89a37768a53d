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
// The hasher (stock, or Argon2id), measured: each verification's thread CPU time is summed for the bench.
builder.Services.AddSingleton<HashCpuTotals>();
builder.Services.AddScoped<IPasswordHasher<IdentityUser>>(sp => new MeasuredPasswordHasher<IdentityUser>(
    builder.Configuration["Peer:Hasher"] == "argon2id" ? new Argon2idPasswordHasher<IdentityUser>() : ActivatorUtilities.CreateInstance<PasswordHasher<IdentityUser>>(sp),
    sp.GetRequiredService<HashCpuTotals>()));

var app = builder.Build();
using (var scope = app.Services.CreateScope())
{
    // Its own database on the bench's Postgres, created with Identity's schema on first start.
    await scope.ServiceProvider.GetRequiredService<PeerDbContext>().Database.EnsureCreatedAsync();
}
app.MapIdentityApi<IdentityUser>();
app.MapGet("/bench/hash-cpu", (HashCpuTotals totals) =>
{
    var (hashes, cpuMs) = totals.Read();
    return TypedResults.Ok(new { hashes, cpuMs });
}).WithName("HashCpu").WithSummary("Verifications and their thread CPU time since start.");
app.MapGet("/health", () => TypedResults.Text("Healthy")).WithName("Health").WithSummary("Answers once the database exists.");
app.Run();
