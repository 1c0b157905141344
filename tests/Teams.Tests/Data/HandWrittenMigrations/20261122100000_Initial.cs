using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Platform.Data;
using Platform.Messaging;
using Wsis.Teams.Model;

namespace Wsis.Teams.Tests.Data.HandWrittenMigrations;

/// <summary>
/// The register's tables. Written by hand (dotnet-ef cannot be restored here) and provider-neutral:
/// no column types are named, each provider maps the CLR types itself. The action lines are seeded
/// from <see cref="ActionLine.Catalogue"/>.
/// </summary>
[DbContext(typeof(HandWrittenTeamsDbContext))]
[Migration("20261122100000_Initial")]
internal sealed class Initial : Migration
{
    protected override void Up(MigrationBuilder b)
    {
        b.CreateTable("action_lines", t => new
        {
            Code = t.Column<string>(maxLength: 32, nullable: false),
            Title = t.Column<string>(maxLength: 300, nullable: false),
            ParentCode = t.Column<string>(maxLength: 32, nullable: true),
            SortOrder = t.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_action_lines", x => x.Code));

        // Plain SQL rather than InsertData: without a target model InsertData would need provider-specific
        // column types, while this statement reads the same on every provider.
        foreach (var line in ActionLine.Catalogue)
            b.Sql($"INSERT INTO \"action_lines\" (\"Code\", \"Title\", \"ParentCode\", \"SortOrder\") VALUES ({Literal(line.Code)}, {Literal(line.Title)}, {Literal(line.ParentCode)}, {line.Order})");

        b.CreateTable("stakeholders", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            Name = t.Column<string>(maxLength: 300, nullable: false),
            Category = t.Column<int>(nullable: false),
            CountryCode = t.Column<string>(maxLength: 2, nullable: false),
            ContactEmail = t.Column<string>(maxLength: 254, nullable: false),
            RegisteredAt = t.Column<DateTimeOffset>(nullable: false),
            RegisteredBy = t.Column<string>(maxLength: 200, nullable: false),
        }, constraints: t => t.PrimaryKey("PK_stakeholders", x => x.Id));
        b.CreateIndex("IX_stakeholders_Category", "stakeholders", "Category");
        b.CreateIndex("IX_stakeholders_CountryCode", "stakeholders", "CountryCode");

        b.CreateTable("teams", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            ActionLineCode = t.Column<string>(maxLength: 32, nullable: false),
            CreatedAt = t.Column<DateTimeOffset>(nullable: false),
            CreatedBy = t.Column<string>(maxLength: 200, nullable: false),
            Revision = t.Column<int>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_teams", x => x.Id);
            t.ForeignKey("FK_teams_action_lines_ActionLineCode", x => x.ActionLineCode, "action_lines", "Code", onDelete: ReferentialAction.Restrict);
        });
        b.CreateIndex("IX_teams_ActionLineCode", "teams", "ActionLineCode", unique: true);

        b.CreateTable("team_memberships", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            TeamId = t.Column<Guid>(nullable: false),
            StakeholderId = t.Column<Guid>(nullable: false),
            JoinedAt = t.Column<DateTimeOffset>(nullable: false),
            JoinedBy = t.Column<string>(maxLength: 200, nullable: false),
            LeftAt = t.Column<DateTimeOffset>(nullable: true),
            LeftBy = t.Column<string>(maxLength: 200, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_team_memberships", x => x.Id);
            t.ForeignKey("FK_team_memberships_teams_TeamId", x => x.TeamId, "teams", "Id", onDelete: ReferentialAction.Cascade);
        });
        b.CreateIndex("IX_team_memberships_open", "team_memberships", ["TeamId", "StakeholderId"], unique: true, filter: "\"LeftAt\" IS NULL");

        b.CreateTable("coordinator_designations", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            TeamId = t.Column<Guid>(nullable: false),
            StakeholderId = t.Column<Guid>(nullable: false),
            Stage = t.Column<int>(nullable: false),
            NominatedAt = t.Column<DateTimeOffset>(nullable: false),
            NominatedBy = t.Column<string>(maxLength: 200, nullable: false),
            RecommendedAt = t.Column<DateTimeOffset>(nullable: true),
            RecommendedBy = t.Column<string>(maxLength: 200, nullable: true),
            MeetingReference = t.Column<string>(maxLength: 500, nullable: true),
            DesignatedAt = t.Column<DateTimeOffset>(nullable: true),
            DesignatedBy = t.Column<string>(maxLength: 200, nullable: true),
            DecisionReference = t.Column<string>(maxLength: 500, nullable: true),
            EndedAt = t.Column<DateTimeOffset>(nullable: true),
            SupersededBy = t.Column<Guid>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_coordinator_designations", x => x.Id);
            t.ForeignKey("FK_coordinator_designations_teams_TeamId", x => x.TeamId, "teams", "Id", onDelete: ReferentialAction.Cascade);
        });
        b.CreateIndex("IX_coordinator_designations_in_force", "coordinator_designations", "TeamId", unique: true, filter: "\"Stage\" = 3");

        b.CreateTable("coordination_modalities", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            TeamId = t.Column<Guid>(nullable: false),
            Version = t.Column<int>(nullable: false),
            Text = t.Column<string>(nullable: false),
            SetAt = t.Column<DateTimeOffset>(nullable: false),
            SetBy = t.Column<string>(maxLength: 200, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_coordination_modalities", x => x.Id);
            t.ForeignKey("FK_coordination_modalities_teams_TeamId", x => x.TeamId, "teams", "Id", onDelete: ReferentialAction.Cascade);
        });
        b.CreateIndex("IX_coordination_modalities_TeamId_Version", "coordination_modalities", ["TeamId", "Version"], unique: true);

        b.CreateTable("team_meetings", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            TeamId = t.Column<Guid>(nullable: false),
            Title = t.Column<string>(maxLength: 300, nullable: false),
            StartsAt = t.Column<DateTimeOffset>(nullable: false),
            EndsAt = t.Column<DateTimeOffset>(nullable: false),
            VenueOrLink = t.Column<string>(maxLength: 500, nullable: false),
            Agenda = t.Column<string>(nullable: true),
            ScheduledAt = t.Column<DateTimeOffset>(nullable: false),
            ScheduledBy = t.Column<string>(maxLength: 200, nullable: false),
            Revision = t.Column<int>(nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_team_meetings", x => x.Id);
            t.ForeignKey("FK_team_meetings_teams_TeamId", x => x.TeamId, "teams", "Id", onDelete: ReferentialAction.Cascade);
        });
        b.CreateIndex("IX_team_meetings_TeamId", "team_meetings", "TeamId");

        b.CreateTable("meeting_registrations", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            MeetingId = t.Column<Guid>(nullable: false),
            StakeholderId = t.Column<Guid>(nullable: false),
            RegisteredAt = t.Column<DateTimeOffset>(nullable: false),
            RegisteredBy = t.Column<string>(maxLength: 200, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_meeting_registrations", x => x.Id);
            t.ForeignKey("FK_meeting_registrations_team_meetings_MeetingId", x => x.MeetingId, "team_meetings", "Id", onDelete: ReferentialAction.Cascade);
        });
        b.CreateIndex("IX_meeting_registrations_MeetingId_StakeholderId", "meeting_registrations", ["MeetingId", "StakeholderId"], unique: true);

        b.CreateTable("coordinators_meetings", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            StartsAt = t.Column<DateTimeOffset>(nullable: false),
            Venue = t.Column<string>(maxLength: 500, nullable: false),
            ViceChairSeats = t.Column<int>(nullable: false),
            ConvenedAt = t.Column<DateTimeOffset>(nullable: false),
            ConvenedBy = t.Column<string>(maxLength: 200, nullable: false),
            ElectionClosedAt = t.Column<DateTimeOffset>(nullable: true),
            ElectionClosedBy = t.Column<string>(maxLength: 200, nullable: true),
            ChairId = t.Column<Guid>(nullable: true),
            ViceChairIds = t.Column<string>(maxLength: 4000, nullable: false),
            ChairTieIds = t.Column<string>(maxLength: 4000, nullable: false),
            ViceChairTieIds = t.Column<string>(maxLength: 4000, nullable: false),
            ImplementationFramework = t.Column<string>(nullable: true),
            ImplementationFrameworkVersion = t.Column<int>(nullable: false),
            ImplementationFrameworkSetAt = t.Column<DateTimeOffset>(nullable: true),
            ImplementationFrameworkSetBy = t.Column<string>(maxLength: 200, nullable: true),
            Revision = t.Column<int>(nullable: false),
        }, constraints: t => t.PrimaryKey("PK_coordinators_meetings", x => x.Id));

        b.CreateTable("funding_lines", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            MeetingId = t.Column<Guid>(nullable: false),
            Funder = t.Column<int>(nullable: false),
            AmountMinor = t.Column<long>(nullable: false),
            Currency = t.Column<string>(maxLength: 3, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_funding_lines", x => x.Id);
            t.ForeignKey("FK_funding_lines_coordinators_meetings_MeetingId", x => x.MeetingId, "coordinators_meetings", "Id", onDelete: ReferentialAction.Cascade);
        });
        b.CreateIndex("IX_funding_lines_MeetingId", "funding_lines", "MeetingId");

        b.CreateTable("officer_nominations", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            MeetingId = t.Column<Guid>(nullable: false),
            Office = t.Column<int>(nullable: false),
            StakeholderId = t.Column<Guid>(nullable: false),
            NominatedAt = t.Column<DateTimeOffset>(nullable: false),
            NominatedBy = t.Column<string>(maxLength: 200, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_officer_nominations", x => x.Id);
            t.ForeignKey("FK_officer_nominations_coordinators_meetings_MeetingId", x => x.MeetingId, "coordinators_meetings", "Id", onDelete: ReferentialAction.Cascade);
        });
        b.CreateIndex("IX_officer_nominations_MeetingId_Office_StakeholderId", "officer_nominations", ["MeetingId", "Office", "StakeholderId"], unique: true);

        b.CreateTable("ballots", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            MeetingId = t.Column<Guid>(nullable: false),
            Office = t.Column<int>(nullable: false),
            TeamId = t.Column<Guid>(nullable: false),
            VoterId = t.Column<Guid>(nullable: false),
            CandidateIds = t.Column<string>(maxLength: 4000, nullable: false),
            CastAt = t.Column<DateTimeOffset>(nullable: false),
            CastBy = t.Column<string>(maxLength: 200, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_ballots", x => x.Id);
            t.ForeignKey("FK_ballots_coordinators_meetings_MeetingId", x => x.MeetingId, "coordinators_meetings", "Id", onDelete: ReferentialAction.Cascade);
        });
        b.CreateIndex("IX_ballots_MeetingId_Office_TeamId", "ballots", ["MeetingId", "Office", "TeamId"], unique: true);

        b.CreateTable("stocktaking_procedures", t => new
        {
            Id = t.Column<Guid>(nullable: false),
            MeetingId = t.Column<Guid>(nullable: false),
            Year = t.Column<int>(nullable: false),
            ContributionDeadline = t.Column<DateTimeOffset>(nullable: false),
            RequiredFields = t.Column<string>(maxLength: 1000, nullable: false),
            Revision = t.Column<int>(nullable: false),
            SetAt = t.Column<DateTimeOffset>(nullable: false),
            SetBy = t.Column<string>(maxLength: 200, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_stocktaking_procedures", x => x.Id);
            t.ForeignKey("FK_stocktaking_procedures_coordinators_meetings_MeetingId", x => x.MeetingId, "coordinators_meetings", "Id", onDelete: ReferentialAction.Cascade);
        });
        b.CreateIndex("IX_stocktaking_procedures_MeetingId_Year", "stocktaking_procedures", ["MeetingId", "Year"], unique: true);

        b.CreateIdempotencyRecords();
        b.CreateMessagingTables();
    }

    private static string Literal(string? value) => value is null ? "NULL" : "'" + value.Replace("'", "''") + "'";

    protected override void Down(MigrationBuilder b)
    {
        b.DropMessagingTables();
        b.DropIdempotencyRecords();
        foreach (var table in new[] { "stocktaking_procedures", "ballots", "officer_nominations", "funding_lines", "coordinators_meetings",
                     "meeting_registrations", "team_meetings", "coordination_modalities", "coordinator_designations", "team_memberships", "teams",
                     "stakeholders", "action_lines" })
        {
            b.DropTable(table);
        }
    }
}
