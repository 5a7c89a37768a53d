using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace AccessPlatform.Bench.AspNetIdentityPeer;

/// <summary>Identity's own schema, unchanged: the stock tables a new ASP.NET Core app gets.</summary>
public sealed class PeerDbContext(DbContextOptions<PeerDbContext> options) : IdentityDbContext<IdentityUser>(options);
