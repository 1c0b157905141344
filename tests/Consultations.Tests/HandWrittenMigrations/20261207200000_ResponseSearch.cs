using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Wsis.Consultations.Tests.HandWrittenMigrations;

/// <summary>
/// Full-text search over responses' texts (<see cref="ResponseSearch"/>): on PostgreSQL a GIN index over
/// <c>to_tsvector('simple', "Text")</c>; on SQLite an FTS5 table with the responses as external content,
/// filled by a trigger as responses are stored (responses are never edited) and rebuilt once here for
/// the responses already stored. No model change: the search is SQL beside the model.
/// </summary>
[DbContext(typeof(HandWrittenConsultationsDbContext))]
[Migration("20261207200000_ResponseSearch")]
internal sealed class ResponseSearchIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.IsNpgsql())
        {
            migrationBuilder.Sql("""CREATE INDEX "IX_Responses_Text_FullText" ON "Responses" USING GIN (to_tsvector('simple', "Text"));""");
        }
        else if (migrationBuilder.IsSqlite())
        {
            migrationBuilder.Sql("""CREATE VIRTUAL TABLE "ResponsesSearch" USING fts5("Text", content='Responses', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');""");
            migrationBuilder.Sql("""CREATE TRIGGER "Responses_Search_Insert" AFTER INSERT ON "Responses" BEGIN INSERT INTO "ResponsesSearch"(rowid, "Text") VALUES (new.rowid, new."Text"); END;""");
            migrationBuilder.Sql("""CREATE TRIGGER "Responses_Search_Delete" AFTER DELETE ON "Responses" BEGIN INSERT INTO "ResponsesSearch"("ResponsesSearch", rowid, "Text") VALUES ('delete', old.rowid, old."Text"); END;""");
            migrationBuilder.Sql("""INSERT INTO "ResponsesSearch"("ResponsesSearch") VALUES ('rebuild');""");
        }
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder.IsNpgsql())
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Responses_Text_FullText";""");
        }
        else if (migrationBuilder.IsSqlite())
        {
            migrationBuilder.Sql("""DROP TRIGGER "Responses_Search_Delete"; DROP TRIGGER "Responses_Search_Insert"; DROP TABLE "ResponsesSearch";""");
        }
    }
}
