using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wsis.Teams.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PascalCaseTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ballots_coordinators_meetings_MeetingId",
                table: "ballots");

            migrationBuilder.DropForeignKey(
                name: "FK_coordination_modalities_teams_TeamId",
                table: "coordination_modalities");

            migrationBuilder.DropForeignKey(
                name: "FK_coordinator_designations_teams_TeamId",
                table: "coordinator_designations");

            migrationBuilder.DropForeignKey(
                name: "FK_funding_lines_coordinators_meetings_MeetingId",
                table: "funding_lines");

            migrationBuilder.DropForeignKey(
                name: "FK_meeting_registrations_team_meetings_MeetingId",
                table: "meeting_registrations");

            migrationBuilder.DropForeignKey(
                name: "FK_officer_nominations_coordinators_meetings_MeetingId",
                table: "officer_nominations");

            migrationBuilder.DropForeignKey(
                name: "FK_stocktaking_procedures_coordinators_meetings_MeetingId",
                table: "stocktaking_procedures");

            migrationBuilder.DropForeignKey(
                name: "FK_team_meetings_teams_TeamId",
                table: "team_meetings");

            migrationBuilder.DropForeignKey(
                name: "FK_team_memberships_teams_TeamId",
                table: "team_memberships");

            migrationBuilder.DropForeignKey(
                name: "FK_teams_action_lines_ActionLineCode",
                table: "teams");

            migrationBuilder.DropPrimaryKey(
                name: "PK_teams",
                table: "teams");

            migrationBuilder.DropPrimaryKey(
                name: "PK_stakeholders",
                table: "stakeholders");

            migrationBuilder.DropPrimaryKey(
                name: "PK_ballots",
                table: "ballots");

            migrationBuilder.DropPrimaryKey(
                name: "PK_team_memberships",
                table: "team_memberships");

            migrationBuilder.DropPrimaryKey(
                name: "PK_team_meetings",
                table: "team_meetings");

            migrationBuilder.DropPrimaryKey(
                name: "PK_stocktaking_procedures",
                table: "stocktaking_procedures");

            migrationBuilder.DropPrimaryKey(
                name: "PK_officer_nominations",
                table: "officer_nominations");

            migrationBuilder.DropPrimaryKey(
                name: "PK_meeting_registrations",
                table: "meeting_registrations");

            migrationBuilder.DropPrimaryKey(
                name: "PK_funding_lines",
                table: "funding_lines");

            migrationBuilder.DropPrimaryKey(
                name: "PK_coordinators_meetings",
                table: "coordinators_meetings");

            migrationBuilder.DropPrimaryKey(
                name: "PK_coordinator_designations",
                table: "coordinator_designations");

            migrationBuilder.DropPrimaryKey(
                name: "PK_coordination_modalities",
                table: "coordination_modalities");

            migrationBuilder.DropPrimaryKey(
                name: "PK_action_lines",
                table: "action_lines");

            // SQLite refuses a rename that changes only the case ("there is already another table or index with
            // this name"): through a name of its own. Edited by hand; the generated operation was one rename.
            migrationBuilder.RenameTable(
                name: "teams",
                newName: "teams_renaming");

            migrationBuilder.RenameTable(
                name: "teams_renaming",
                newName: "Teams");

            // SQLite refuses a rename that changes only the case ("there is already another table or index with
            // this name"): through a name of its own. Edited by hand; the generated operation was one rename.
            migrationBuilder.RenameTable(
                name: "stakeholders",
                newName: "stakeholders_renaming");

            migrationBuilder.RenameTable(
                name: "stakeholders_renaming",
                newName: "Stakeholders");

            // SQLite refuses a rename that changes only the case ("there is already another table or index with
            // this name"): through a name of its own. Edited by hand; the generated operation was one rename.
            migrationBuilder.RenameTable(
                name: "ballots",
                newName: "ballots_renaming");

            migrationBuilder.RenameTable(
                name: "ballots_renaming",
                newName: "Ballots");

            migrationBuilder.RenameTable(
                name: "team_memberships",
                newName: "TeamMemberships");

            migrationBuilder.RenameTable(
                name: "team_meetings",
                newName: "TeamMeetings");

            migrationBuilder.RenameTable(
                name: "stocktaking_procedures",
                newName: "StocktakingProcedures");

            migrationBuilder.RenameTable(
                name: "officer_nominations",
                newName: "OfficerNominations");

            migrationBuilder.RenameTable(
                name: "meeting_registrations",
                newName: "MeetingRegistrations");

            migrationBuilder.RenameTable(
                name: "funding_lines",
                newName: "FundingLines");

            migrationBuilder.RenameTable(
                name: "coordinators_meetings",
                newName: "CoordinatorsMeetings");

            migrationBuilder.RenameTable(
                name: "coordinator_designations",
                newName: "CoordinatorDesignations");

            migrationBuilder.RenameTable(
                name: "coordination_modalities",
                newName: "CoordinationModalities");

            migrationBuilder.RenameTable(
                name: "action_lines",
                newName: "ActionLines");

            migrationBuilder.RenameIndex(
                name: "IX_teams_ActionLineCode",
                table: "Teams",
                newName: "IX_Teams_ActionLineCode");

            migrationBuilder.RenameIndex(
                name: "IX_stakeholders_CountryCode",
                table: "Stakeholders",
                newName: "IX_Stakeholders_CountryCode");

            migrationBuilder.RenameIndex(
                name: "IX_stakeholders_Category",
                table: "Stakeholders",
                newName: "IX_Stakeholders_Category");

            migrationBuilder.RenameIndex(
                name: "IX_ballots_MeetingId_Office_TeamId",
                table: "Ballots",
                newName: "IX_Ballots_MeetingId_Office_TeamId");

            migrationBuilder.RenameIndex(
                name: "IX_team_memberships_open",
                table: "TeamMemberships",
                newName: "IX_TeamMemberships_Open");

            migrationBuilder.RenameIndex(
                name: "IX_team_meetings_TeamId",
                table: "TeamMeetings",
                newName: "IX_TeamMeetings_TeamId");

            migrationBuilder.RenameIndex(
                name: "IX_stocktaking_procedures_MeetingId_Year",
                table: "StocktakingProcedures",
                newName: "IX_StocktakingProcedures_MeetingId_Year");

            migrationBuilder.RenameIndex(
                name: "IX_officer_nominations_MeetingId_Office_StakeholderId",
                table: "OfficerNominations",
                newName: "IX_OfficerNominations_MeetingId_Office_StakeholderId");

            migrationBuilder.RenameIndex(
                name: "IX_meeting_registrations_MeetingId_StakeholderId",
                table: "MeetingRegistrations",
                newName: "IX_MeetingRegistrations_MeetingId_StakeholderId");

            migrationBuilder.RenameIndex(
                name: "IX_funding_lines_MeetingId",
                table: "FundingLines",
                newName: "IX_FundingLines_MeetingId");

            migrationBuilder.RenameIndex(
                name: "IX_coordinator_designations_in_force",
                table: "CoordinatorDesignations",
                newName: "IX_CoordinatorDesignations_InForce");

            migrationBuilder.RenameIndex(
                name: "IX_coordination_modalities_TeamId_Version",
                table: "CoordinationModalities",
                newName: "IX_CoordinationModalities_TeamId_Version");

            migrationBuilder.AddPrimaryKey(
                name: "PK_Teams",
                table: "Teams",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_Stakeholders",
                table: "Stakeholders",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_Ballots",
                table: "Ballots",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_TeamMemberships",
                table: "TeamMemberships",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_TeamMeetings",
                table: "TeamMeetings",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_StocktakingProcedures",
                table: "StocktakingProcedures",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_OfficerNominations",
                table: "OfficerNominations",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_MeetingRegistrations",
                table: "MeetingRegistrations",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_FundingLines",
                table: "FundingLines",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_CoordinatorsMeetings",
                table: "CoordinatorsMeetings",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_CoordinatorDesignations",
                table: "CoordinatorDesignations",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_CoordinationModalities",
                table: "CoordinationModalities",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_ActionLines",
                table: "ActionLines",
                column: "Code");

            migrationBuilder.AddForeignKey(
                name: "FK_Ballots_CoordinatorsMeetings_MeetingId",
                table: "Ballots",
                column: "MeetingId",
                principalTable: "CoordinatorsMeetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_CoordinationModalities_Teams_TeamId",
                table: "CoordinationModalities",
                column: "TeamId",
                principalTable: "Teams",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_CoordinatorDesignations_Teams_TeamId",
                table: "CoordinatorDesignations",
                column: "TeamId",
                principalTable: "Teams",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_FundingLines_CoordinatorsMeetings_MeetingId",
                table: "FundingLines",
                column: "MeetingId",
                principalTable: "CoordinatorsMeetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_MeetingRegistrations_TeamMeetings_MeetingId",
                table: "MeetingRegistrations",
                column: "MeetingId",
                principalTable: "TeamMeetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_OfficerNominations_CoordinatorsMeetings_MeetingId",
                table: "OfficerNominations",
                column: "MeetingId",
                principalTable: "CoordinatorsMeetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_StocktakingProcedures_CoordinatorsMeetings_MeetingId",
                table: "StocktakingProcedures",
                column: "MeetingId",
                principalTable: "CoordinatorsMeetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_TeamMeetings_Teams_TeamId",
                table: "TeamMeetings",
                column: "TeamId",
                principalTable: "Teams",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_TeamMemberships_Teams_TeamId",
                table: "TeamMemberships",
                column: "TeamId",
                principalTable: "Teams",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_Teams_ActionLines_ActionLineCode",
                table: "Teams",
                column: "ActionLineCode",
                principalTable: "ActionLines",
                principalColumn: "Code",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Ballots_CoordinatorsMeetings_MeetingId",
                table: "Ballots");

            migrationBuilder.DropForeignKey(
                name: "FK_CoordinationModalities_Teams_TeamId",
                table: "CoordinationModalities");

            migrationBuilder.DropForeignKey(
                name: "FK_CoordinatorDesignations_Teams_TeamId",
                table: "CoordinatorDesignations");

            migrationBuilder.DropForeignKey(
                name: "FK_FundingLines_CoordinatorsMeetings_MeetingId",
                table: "FundingLines");

            migrationBuilder.DropForeignKey(
                name: "FK_MeetingRegistrations_TeamMeetings_MeetingId",
                table: "MeetingRegistrations");

            migrationBuilder.DropForeignKey(
                name: "FK_OfficerNominations_CoordinatorsMeetings_MeetingId",
                table: "OfficerNominations");

            migrationBuilder.DropForeignKey(
                name: "FK_StocktakingProcedures_CoordinatorsMeetings_MeetingId",
                table: "StocktakingProcedures");

            migrationBuilder.DropForeignKey(
                name: "FK_TeamMeetings_Teams_TeamId",
                table: "TeamMeetings");

            migrationBuilder.DropForeignKey(
                name: "FK_TeamMemberships_Teams_TeamId",
                table: "TeamMemberships");

            migrationBuilder.DropForeignKey(
                name: "FK_Teams_ActionLines_ActionLineCode",
                table: "Teams");

            migrationBuilder.DropPrimaryKey(
                name: "PK_Teams",
                table: "Teams");

            migrationBuilder.DropPrimaryKey(
                name: "PK_Stakeholders",
                table: "Stakeholders");

            migrationBuilder.DropPrimaryKey(
                name: "PK_Ballots",
                table: "Ballots");

            migrationBuilder.DropPrimaryKey(
                name: "PK_TeamMemberships",
                table: "TeamMemberships");

            migrationBuilder.DropPrimaryKey(
                name: "PK_TeamMeetings",
                table: "TeamMeetings");

            migrationBuilder.DropPrimaryKey(
                name: "PK_StocktakingProcedures",
                table: "StocktakingProcedures");

            migrationBuilder.DropPrimaryKey(
                name: "PK_OfficerNominations",
                table: "OfficerNominations");

            migrationBuilder.DropPrimaryKey(
                name: "PK_MeetingRegistrations",
                table: "MeetingRegistrations");

            migrationBuilder.DropPrimaryKey(
                name: "PK_FundingLines",
                table: "FundingLines");

            migrationBuilder.DropPrimaryKey(
                name: "PK_CoordinatorsMeetings",
                table: "CoordinatorsMeetings");

            migrationBuilder.DropPrimaryKey(
                name: "PK_CoordinatorDesignations",
                table: "CoordinatorDesignations");

            migrationBuilder.DropPrimaryKey(
                name: "PK_CoordinationModalities",
                table: "CoordinationModalities");

            migrationBuilder.DropPrimaryKey(
                name: "PK_ActionLines",
                table: "ActionLines");

            // SQLite refuses a rename that changes only the case ("there is already another table or index with
            // this name"): through a name of its own. Edited by hand; the generated operation was one rename.
            migrationBuilder.RenameTable(
                name: "Teams",
                newName: "Teams_renaming");

            migrationBuilder.RenameTable(
                name: "Teams_renaming",
                newName: "teams");

            // SQLite refuses a rename that changes only the case ("there is already another table or index with
            // this name"): through a name of its own. Edited by hand; the generated operation was one rename.
            migrationBuilder.RenameTable(
                name: "Stakeholders",
                newName: "Stakeholders_renaming");

            migrationBuilder.RenameTable(
                name: "Stakeholders_renaming",
                newName: "stakeholders");

            // SQLite refuses a rename that changes only the case ("there is already another table or index with
            // this name"): through a name of its own. Edited by hand; the generated operation was one rename.
            migrationBuilder.RenameTable(
                name: "Ballots",
                newName: "Ballots_renaming");

            migrationBuilder.RenameTable(
                name: "Ballots_renaming",
                newName: "ballots");

            migrationBuilder.RenameTable(
                name: "TeamMemberships",
                newName: "team_memberships");

            migrationBuilder.RenameTable(
                name: "TeamMeetings",
                newName: "team_meetings");

            migrationBuilder.RenameTable(
                name: "StocktakingProcedures",
                newName: "stocktaking_procedures");

            migrationBuilder.RenameTable(
                name: "OfficerNominations",
                newName: "officer_nominations");

            migrationBuilder.RenameTable(
                name: "MeetingRegistrations",
                newName: "meeting_registrations");

            migrationBuilder.RenameTable(
                name: "FundingLines",
                newName: "funding_lines");

            migrationBuilder.RenameTable(
                name: "CoordinatorsMeetings",
                newName: "coordinators_meetings");

            migrationBuilder.RenameTable(
                name: "CoordinatorDesignations",
                newName: "coordinator_designations");

            migrationBuilder.RenameTable(
                name: "CoordinationModalities",
                newName: "coordination_modalities");

            migrationBuilder.RenameTable(
                name: "ActionLines",
                newName: "action_lines");

            migrationBuilder.RenameIndex(
                name: "IX_Teams_ActionLineCode",
                table: "teams",
                newName: "IX_teams_ActionLineCode");

            migrationBuilder.RenameIndex(
                name: "IX_Stakeholders_CountryCode",
                table: "stakeholders",
                newName: "IX_stakeholders_CountryCode");

            migrationBuilder.RenameIndex(
                name: "IX_Stakeholders_Category",
                table: "stakeholders",
                newName: "IX_stakeholders_Category");

            migrationBuilder.RenameIndex(
                name: "IX_Ballots_MeetingId_Office_TeamId",
                table: "ballots",
                newName: "IX_ballots_MeetingId_Office_TeamId");

            migrationBuilder.RenameIndex(
                name: "IX_TeamMemberships_Open",
                table: "team_memberships",
                newName: "IX_team_memberships_open");

            migrationBuilder.RenameIndex(
                name: "IX_TeamMeetings_TeamId",
                table: "team_meetings",
                newName: "IX_team_meetings_TeamId");

            migrationBuilder.RenameIndex(
                name: "IX_StocktakingProcedures_MeetingId_Year",
                table: "stocktaking_procedures",
                newName: "IX_stocktaking_procedures_MeetingId_Year");

            migrationBuilder.RenameIndex(
                name: "IX_OfficerNominations_MeetingId_Office_StakeholderId",
                table: "officer_nominations",
                newName: "IX_officer_nominations_MeetingId_Office_StakeholderId");

            migrationBuilder.RenameIndex(
                name: "IX_MeetingRegistrations_MeetingId_StakeholderId",
                table: "meeting_registrations",
                newName: "IX_meeting_registrations_MeetingId_StakeholderId");

            migrationBuilder.RenameIndex(
                name: "IX_FundingLines_MeetingId",
                table: "funding_lines",
                newName: "IX_funding_lines_MeetingId");

            migrationBuilder.RenameIndex(
                name: "IX_CoordinatorDesignations_InForce",
                table: "coordinator_designations",
                newName: "IX_coordinator_designations_in_force");

            migrationBuilder.RenameIndex(
                name: "IX_CoordinationModalities_TeamId_Version",
                table: "coordination_modalities",
                newName: "IX_coordination_modalities_TeamId_Version");

            migrationBuilder.AddPrimaryKey(
                name: "PK_teams",
                table: "teams",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_stakeholders",
                table: "stakeholders",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_ballots",
                table: "ballots",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_team_memberships",
                table: "team_memberships",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_team_meetings",
                table: "team_meetings",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_stocktaking_procedures",
                table: "stocktaking_procedures",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_officer_nominations",
                table: "officer_nominations",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_meeting_registrations",
                table: "meeting_registrations",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_funding_lines",
                table: "funding_lines",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_coordinators_meetings",
                table: "coordinators_meetings",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_coordinator_designations",
                table: "coordinator_designations",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_coordination_modalities",
                table: "coordination_modalities",
                column: "Id");

            migrationBuilder.AddPrimaryKey(
                name: "PK_action_lines",
                table: "action_lines",
                column: "Code");

            migrationBuilder.AddForeignKey(
                name: "FK_ballots_coordinators_meetings_MeetingId",
                table: "ballots",
                column: "MeetingId",
                principalTable: "coordinators_meetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_coordination_modalities_teams_TeamId",
                table: "coordination_modalities",
                column: "TeamId",
                principalTable: "teams",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_coordinator_designations_teams_TeamId",
                table: "coordinator_designations",
                column: "TeamId",
                principalTable: "teams",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_funding_lines_coordinators_meetings_MeetingId",
                table: "funding_lines",
                column: "MeetingId",
                principalTable: "coordinators_meetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_meeting_registrations_team_meetings_MeetingId",
                table: "meeting_registrations",
                column: "MeetingId",
                principalTable: "team_meetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_officer_nominations_coordinators_meetings_MeetingId",
                table: "officer_nominations",
                column: "MeetingId",
                principalTable: "coordinators_meetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_stocktaking_procedures_coordinators_meetings_MeetingId",
                table: "stocktaking_procedures",
                column: "MeetingId",
                principalTable: "coordinators_meetings",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_team_meetings_teams_TeamId",
                table: "team_meetings",
                column: "TeamId",
                principalTable: "teams",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_team_memberships_teams_TeamId",
                table: "team_memberships",
                column: "TeamId",
                principalTable: "teams",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_teams_action_lines_ActionLineCode",
                table: "teams",
                column: "ActionLineCode",
                principalTable: "action_lines",
                principalColumn: "Code",
                onDelete: ReferentialAction.Restrict);
        }
    }
}
