using Microsoft.EntityFrameworkCore;
using Wsis.Teams.Data;

namespace Wsis.Teams.Tests.Data.HandWrittenMigrations;

/// <summary>
/// The Teams model with the hand-written, provider-neutral migrations the service shipped before its
/// migrations were generated (copied here unchanged but for their namespace and context): the
/// upgrade tests make a database with them, as a deployed service did, then start today's migrations on it.
/// The hand-written migrations made snake_case tables, so the model is on those names (<see cref="TablesBeforePascalCase"/>).
/// </summary>
internal sealed class HandWrittenTeamsDbContext(DbContextOptions<HandWrittenTeamsDbContext> options) : TeamsDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        TablesBeforePascalCase.Restore(model);
    }
}
