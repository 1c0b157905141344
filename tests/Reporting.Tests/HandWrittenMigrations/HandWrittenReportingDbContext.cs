using Microsoft.EntityFrameworkCore;
using Wsis.Reporting.Data;

namespace Wsis.Reporting.Tests.HandWrittenMigrations;

/// <summary>
/// The Reporting model with the hand-written, provider-neutral migrations the service shipped before
/// its migrations were generated (copied here unchanged but for their namespace and context): the
/// upgrade tests make a database with them, as a deployed service did, then start today's migrations on it.
/// </summary>
internal sealed class HandWrittenReportingDbContext(DbContextOptions<HandWrittenReportingDbContext> options) : ReportingDbContext(options);
