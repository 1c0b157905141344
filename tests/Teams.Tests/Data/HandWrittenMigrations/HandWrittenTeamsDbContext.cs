using Microsoft.EntityFrameworkCore;
using Wsis.Teams.Data;

namespace Wsis.Teams.Tests.Data.HandWrittenMigrations;

/// <summary>
/// The Teams model with the hand-written, provider-neutral migrations the service shipped before its
/// migrations were generated (copied here unchanged but for their namespace and context): the
/// upgrade tests make a database with them, as a deployed service did, then start today's migrations on it.
/// </summary>
internal sealed class HandWrittenTeamsDbContext(DbContextOptions<HandWrittenTeamsDbContext> options) : TeamsDbContext(options);
