using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Wsis.Consultations.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ResponseSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Full-text search over responses' texts (Data/ResponseSearch.cs): an expression index EF Core
            // cannot model, a GIN index over to_tsvector('simple', "Text").
            migrationBuilder.Sql("""CREATE INDEX "IX_Responses_Text_FullText" ON "Responses" USING GIN (to_tsvector('simple', "Text"));""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_Responses_Text_FullText";""");
        }
    }
}
