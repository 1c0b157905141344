using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wsis.Consultations.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ResponseSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Full-text search over responses' texts (Data/ResponseSearch.cs), which EF Core cannot model:
            // an FTS5 table with the responses as external content, filled by a trigger as responses are
            // stored (responses are never edited), rebuilt once here for the responses already stored.
            migrationBuilder.Sql("""CREATE VIRTUAL TABLE "ResponsesSearch" USING fts5("Text", content='Responses', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');""");
            migrationBuilder.Sql("""CREATE TRIGGER "Responses_Search_Insert" AFTER INSERT ON "Responses" BEGIN INSERT INTO "ResponsesSearch"(rowid, "Text") VALUES (new.rowid, new."Text"); END;""");
            migrationBuilder.Sql("""CREATE TRIGGER "Responses_Search_Delete" AFTER DELETE ON "Responses" BEGIN INSERT INTO "ResponsesSearch"("ResponsesSearch", rowid, "Text") VALUES ('delete', old.rowid, old."Text"); END;""");
            migrationBuilder.Sql("""INSERT INTO "ResponsesSearch"("ResponsesSearch") VALUES ('rebuild');""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "Responses_Search_Delete"; DROP TRIGGER "Responses_Search_Insert"; DROP TABLE "ResponsesSearch";""");
        }
    }
}
