using Microsoft.EntityFrameworkCore;
using Wsis.Teams.Data;

namespace Wsis.Teams.Tests.Data;

/// <summary>
/// Teams' tables as they were named before <c>20261209000000_PascalCaseTables</c> (snake_case), for the
/// contexts that fill databases made before it: the model is today's, on the former table names.
/// </summary>
internal static class TablesBeforePascalCase
{
    /// <summary>Former name → name since <c>20261209000000_PascalCaseTables</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> Renamed = new Dictionary<string, string>
    {
        ["action_lines"] = "ActionLines",
        ["stakeholders"] = "Stakeholders",
        ["teams"] = "Teams",
        ["team_memberships"] = "TeamMemberships",
        ["coordinator_designations"] = "CoordinatorDesignations",
        ["coordination_modalities"] = "CoordinationModalities",
        ["team_meetings"] = "TeamMeetings",
        ["meeting_registrations"] = "MeetingRegistrations",
        ["coordinators_meetings"] = "CoordinatorsMeetings",
        ["funding_lines"] = "FundingLines",
        ["officer_nominations"] = "OfficerNominations",
        ["ballots"] = "Ballots",
        ["stocktaking_procedures"] = "StocktakingProcedures",
    };

    /// <summary>Maps the model's renamed tables back to their former names (only table names matter to fill a database).</summary>
    public static void Restore(ModelBuilder model)
    {
        var former = Renamed.ToDictionary(t => t.Value, t => t.Key);
        foreach (var entity in model.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table && former.TryGetValue(table, out var name))
            {
                entity.SetTableName(name);
            }
        }
    }
}

/// <summary>Today's Teams model on the former table names, to fill a database the generated migrations stopped before <c>20261209000000_PascalCaseTables</c>.</summary>
internal sealed class TeamsDbContextBeforePascalCase(DbContextOptions<TeamsDbContextBeforePascalCase> options) : TeamsDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        TablesBeforePascalCase.Restore(model);
    }
}
