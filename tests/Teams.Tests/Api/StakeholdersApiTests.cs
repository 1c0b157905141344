using Grpc.Core;
using V1 = Wsis.Teams.V1;

namespace Wsis.Teams.Tests.Api;

public sealed class StakeholdersApiTests(TeamsApiFixture fixture) : IClassFixture<TeamsApiFixture>
{
    private TeamsServiceHost Service => fixture.Service;

    private static V1.RegisterStakeholderRequest Request(string name, string requestId = "") => new()
    {
        Name = name,
        Category = V1.StakeholderCategory.CivilSociety,
        CountryCode = "ke",
        ContactEmail = "office@" + name.ToLowerInvariant() + ".example",
        RequestId = requestId,
    };

    [Fact]
    public async Task Registering_needs_a_token_and_valid_fields()
    {
        var error = await TeamsApiFixture.Refused(StatusCode.Unauthenticated, async () => await Service.Stakeholders.RegisterStakeholderAsync(Request("Anon")));
        Assert.Contains("bearer token", error.Status.Detail);

        var bad = Request("Bad");
        bad.CountryCode = "XX";
        error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await Service.Stakeholders.RegisterStakeholderAsync(bad, Service.Secretariat));
        Assert.StartsWith("country_code", error.Status.Detail);

        bad = Request("Bad");
        bad.Category = V1.StakeholderCategory.Unspecified;
        error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await Service.Stakeholders.RegisterStakeholderAsync(bad, Service.Secretariat));
        Assert.StartsWith("category is required", error.Status.Detail);
    }

    [Fact]
    public async Task The_same_request_id_registers_once()
    {
        // Any authenticated caller may register, e.g. a stakeholder token not yet tied to an org.
        var caller = TeamsServiceHost.Bearer(Service.Token("new-partner", "stakeholder", Guid.NewGuid()));
        var first = await Service.Stakeholders.RegisterStakeholderAsync(Request("Twice", "req-twice-1"), caller);
        var second = await Service.Stakeholders.RegisterStakeholderAsync(Request("Twice", "req-twice-1"), caller);
        Assert.Equal(first.Id, second.Id);

        var list = await Service.Stakeholders.ListStakeholdersAsync(new V1.ListStakeholdersRequest { PageSize = 200 });
        Assert.Single(list.Stakeholders, s => s.Name == "Twice");
    }

    [Fact]
    public async Task Contact_email_is_shown_only_to_the_secretariat_and_the_stakeholder_itself()
    {
        var registered = await Service.Stakeholders.RegisterStakeholderAsync(Request("Private"), Service.Secretariat);
        var id = Guid.Parse(registered.Id);
        var request = new V1.GetStakeholderRequest { Id = registered.Id };

        var anonymous = await Service.Stakeholders.GetStakeholderAsync(request);
        Assert.Equal(("Private", "KE", ""), (anonymous.Name, anonymous.CountryCode, anonymous.ContactEmail));
        Assert.Equal("office@private.example", (await Service.Stakeholders.GetStakeholderAsync(request, Service.Secretariat)).ContactEmail);
        Assert.Equal("office@private.example", (await Service.Stakeholders.GetStakeholderAsync(request, Service.StakeholderOf(id))).ContactEmail);
        Assert.Equal("", (await Service.Stakeholders.GetStakeholderAsync(request, Service.StakeholderOf(Guid.NewGuid()))).ContactEmail);

        await TeamsApiFixture.Refused(StatusCode.NotFound, async () => await Service.Stakeholders.GetStakeholderAsync(new V1.GetStakeholderRequest { Id = Guid.NewGuid().ToString() }));
        var error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () => await Service.Stakeholders.GetStakeholderAsync(new V1.GetStakeholderRequest { Id = "nope" }));
        Assert.Equal("id is not a valid id", error.Status.Detail);
    }

    [Fact]
    public async Task The_register_filters_and_pages()
    {
        for (var i = 0; i < 5; i++)
            await fixture.Register($"Academy {i}", V1.StakeholderCategory.AcademicAndTechnical, "BR");

        var seen = new List<string>();
        var request = new V1.ListStakeholdersRequest { Category = V1.StakeholderCategory.AcademicAndTechnical, CountryCode = "br", PageSize = 2 };
        var pages = 0;
        do
        {
            var page = await Service.Stakeholders.ListStakeholdersAsync(request);
            Assert.True(page.Stakeholders.Count <= 2);
            seen.AddRange(page.Stakeholders.Select(s => s.Name));
            request.PageToken = page.NextPageToken;
            pages++;
        } while (request.PageToken != "");

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"Academy {i}"), seen);

        var error = await TeamsApiFixture.Refused(StatusCode.InvalidArgument, async () =>
            await Service.Stakeholders.ListStakeholdersAsync(new V1.ListStakeholdersRequest { PageToken = "garbage" }));
        Assert.StartsWith("page_token", error.Status.Detail);
    }
}
