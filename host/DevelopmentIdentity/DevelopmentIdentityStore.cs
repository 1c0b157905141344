using Microsoft.EntityFrameworkCore;

namespace Wsis.Host.DevelopmentIdentity;

/// <summary>OpenIddict's applications, authorizations and tokens, in an in-memory SQLite database that
/// lives as long as the process (nothing of the development provider outlives a restart but its signing key).</summary>
public sealed class DevelopmentIdentityStore(DbContextOptions<DevelopmentIdentityStore> options) : DbContext(options)
{
    public const string ConnectionString = "Data Source=wsis-development-identity;Mode=Memory;Cache=Shared";
}
