using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Wsis.Consultations.Model;

namespace Wsis.Consultations.Tests.HandWrittenMigrations;

/// <summary>Issue 26: each e-mail response's DKIM outcome at receipt and the signing domain (0 / empty: not checked).</summary>
[DbContext(typeof(HandWrittenConsultationsDbContext))]
[Migration("20261215010000_SenderVerification")]
internal sealed class SenderVerificationColumns : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<int>("DkimResult", "Responses", nullable: false, defaultValue: 0);
        migrationBuilder.AddColumn<string>("DkimDomain", "Responses", maxLength: SenderVerification.DomainMax, nullable: false, defaultValue: "");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropColumn("DkimDomain", "Responses");
        migrationBuilder.DropColumn("DkimResult", "Responses");
    }
}
