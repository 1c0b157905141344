using Microsoft.EntityFrameworkCore;
using Wsis.Consultations.Data;

namespace Wsis.Consultations.Tests.HandWrittenMigrations;

/// <summary>
/// The Consultations model with the hand-written, provider-neutral migrations the service shipped before
/// its migrations were generated (copied here unchanged but for their namespace and context): the
/// upgrade tests make a database with them, as a deployed service did, then start today's migrations on it.
/// </summary>
internal sealed class HandWrittenConsultationsDbContext(DbContextOptions<HandWrittenConsultationsDbContext> options) : ConsultationsDbContext(options);
