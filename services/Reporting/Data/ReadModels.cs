using Microsoft.EntityFrameworkCore;
using Wsis.Reporting.Model;

namespace Wsis.Reporting.Data;

/// <summary>Loads the read models a request needs, as the in-memory registers the rules work on.</summary>
public static class ReadModels
{
    public static async Task<OfficerRegister> OfficersAsync(this ReportingDbContext db, CancellationToken ct) =>
        new(await db.CoordinatorsMeetings.AsNoTracking().ToListAsync(ct));

    public static async Task<CoordinationRegister> CoordinationAsync(this ReportingDbContext db, CancellationToken ct) =>
        new(await db.TeamCoordinations.AsNoTracking().ToListAsync(ct));

    public static async Task<ProcedureRegister> ProceduresAsync(this ReportingDbContext db, int year, CancellationToken ct) =>
        new(await db.StocktakingProcedures.AsNoTracking().Where(p => p.Year == year).ToListAsync(ct));

    public static async Task<StakeholderDirectory> StakeholdersAsync(this ReportingDbContext db, CancellationToken ct) =>
        new(await db.Stakeholders.AsNoTracking().ToListAsync(ct));

    public static async Task<ConsultationRegister> ConsultationsAsync(this ReportingDbContext db, CancellationToken ct) =>
        new(await db.Consultations.AsNoTracking().ToListAsync(ct), await db.ConsultationResponses.AsNoTracking().ToListAsync(ct));
}
