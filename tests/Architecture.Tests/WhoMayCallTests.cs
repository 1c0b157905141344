using System.Reflection;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Platform.Security;

namespace Architecture.Tests;

/// <summary>
/// Every method of every public gRPC service says who may call it, on the method itself, and says
/// what ../shared/API.md and the .proto comments promise partners.
/// </summary>
public sealed class WhoMayCallTests
{
    private const string Anyone = "anyone";

    /// <summary>Who may call each method, as API.md states it (roles only; rules on stored state are the domain's).</summary>
    private static readonly Dictionary<string, string> Promised = new(StringComparer.Ordinal)
    {
        ["teams.v1.Stakeholders/RegisterStakeholder"] = Policies.Authenticated,
        ["teams.v1.Stakeholders/GetStakeholder"] = Anyone,
        ["teams.v1.Stakeholders/ListStakeholders"] = Anyone,
        ["teams.v1.Teams/ListActionLines"] = Anyone,
        ["teams.v1.Teams/CreateTeam"] = Policies.Secretariat,
        ["teams.v1.Teams/GetTeam"] = Anyone,
        ["teams.v1.Teams/ListTeams"] = Anyone,
        ["teams.v1.Teams/JoinTeam"] = Policies.StakeholderOrSecretariat,
        ["teams.v1.Teams/LeaveTeam"] = Policies.StakeholderOrSecretariat,
        ["teams.v1.Teams/NominateCoordinator"] = Policies.Secretariat,
        ["teams.v1.Teams/RecordCoordinatorRecommendation"] = Policies.Secretariat,
        ["teams.v1.Teams/RecordCoordinatorDesignation"] = Policies.Secretariat,
        ["teams.v1.Teams/SetCoordinationModalities"] = Policies.CoordinatorOrSecretariat,
        ["teams.v1.Teams/ListCoordinationModalities"] = Anyone,
        ["teams.v1.Teams/ScheduleTeamMeeting"] = Policies.CoordinatorOrSecretariat,
        ["teams.v1.Teams/RegisterForTeamMeeting"] = Policies.StakeholderOrSecretariat,
        ["teams.v1.Teams/ListTeamMeetings"] = Anyone,
        ["teams.v1.CoordinatorsMeetings/ConveneCoordinatorsMeeting"] = Policies.Secretariat,
        ["teams.v1.CoordinatorsMeetings/NominateOfficer"] = Policies.CoordinatorOrSecretariat,
        ["teams.v1.CoordinatorsMeetings/CastVote"] = Policies.Coordinator,
        ["teams.v1.CoordinatorsMeetings/CloseElection"] = Policies.Secretariat,
        ["teams.v1.CoordinatorsMeetings/SetImplementationFramework"] = Policies.CoordinatorOrSecretariat,
        ["teams.v1.CoordinatorsMeetings/SetStocktakingProcedures"] = Policies.CoordinatorOrSecretariat,
        ["teams.v1.CoordinatorsMeetings/GetCoordinatorsMeeting"] = Anyone,
        ["teams.v1.CoordinatorsMeetings/ListCoordinatorsMeetings"] = Anyone,
        ["consultations.v1.Consultations/ScheduleGroupMeeting"] = Policies.Secretariat,
        ["consultations.v1.Consultations/ListGroupMeetings"] = Anyone,
        ["consultations.v1.Consultations/OpenConsultation"] = Policies.MemberStateOrSecretariat,
        ["consultations.v1.Consultations/GetConsultation"] = Anyone,
        ["consultations.v1.Consultations/ListConsultations"] = Anyone,
        ["consultations.v1.Consultations/SubmitResponse"] = Anyone,
        ["consultations.v1.Consultations/IngestEmail"] = Policies.Secretariat,
        ["consultations.v1.Consultations/ListResponses"] = Anyone,
        ["consultations.v1.Consultations/SearchResponses"] = Anyone,
        ["consultations.v1.Consultations/GetResponse"] = Anyone,
        ["consultations.v1.Consultations/GetAttachment"] = Anyone,
        ["consultations.v1.Consultations/ListUnassignedResponses"] = Policies.Secretariat,
        ["consultations.v1.Consultations/GetConsultationResults"] = Anyone,
        ["consultations.v1.Consultations/RecordExamination"] = Policies.Secretariat,
        ["consultations.v1.Consultations/PublishResults"] = Policies.Secretariat,
        // API.md: published records and the signed log with its proofs are public; the proto
        // comments state who assigns unassigned e-mail (the secretariat, as it ingests it).
        ["consultations.v1.Consultations/AssignResponse"] = Policies.Secretariat,
        ["consultations.v1.Consultations/GetPublishedRecord"] = Anyone,
        ["consultations.v1.Consultations/GetLogCheckpoint"] = Anyone,
        ["consultations.v1.Consultations/GetInclusionProof"] = Anyone,
        ["consultations.v1.Consultations/GetConsistencyProof"] = Anyone,
        ["consultations.v1.Consultations/GetLogPublicKey"] = Anyone,
        ["reporting.v1.Stocktaking/SubmitContribution"] = Policies.Coordinator,
        ["reporting.v1.Stocktaking/SubmitNationalReport"] = Policies.MemberState,
        ["reporting.v1.Stocktaking/ListInventory"] = Anyone,
        ["reporting.v1.Stocktaking/GetInventoryEntry"] = Anyone,
        ["reporting.v1.Stocktaking/ListContributions"] = Anyone,
        ["reporting.v1.Stocktaking/ListNationalReports"] = Anyone,
        ["reporting.v1.Reports/CompileReport"] = Policies.CoordinatorOrSecretariat,
        ["reporting.v1.Reports/SubmitToSecretaryGeneral"] = Policies.Coordinator,
        ["reporting.v1.Reports/RecordTransmissionToGeneralAssembly"] = Policies.Secretariat,
        ["reporting.v1.Reports/GetReport"] = Anyone,
        ["reporting.v1.Reports/ListReports"] = Anyone,
    };

    public static TheoryData<string> Services => new(Implementations().Select(i => i.Descriptor.FullName));

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_method_declares_who_may_call_it_and_it_is_what_the_API_promises(string service)
    {
        var (type, descriptor) = Implementations().Single(i => i.Descriptor.FullName == service);
        var problems = new List<string>();
        foreach (var method in descriptor.Methods)
        {
            var name = $"{service}/{method.Name}";
            var implementation = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .SingleOrDefault(m => m.Name == method.Name);
            if (implementation is null)
            {
                problems.Add($"{name}: not implemented by {type.Name}");
                continue;
            }

            var declared = Declared(implementation);
            if (declared.Count != 1)
            {
                problems.Add($"{name}: needs exactly one [Authorize(Policy = ...)] or [AllowAnonymous], has {declared.Count}");
                continue;
            }

            if (!Promised.TryGetValue(name, out var promised))
            {
                problems.Add($"{name}: not in the table of API.md's promises (add it)");
            }
            else if (declared[0] != promised)
            {
                problems.Add($"{name}: declares {declared[0]}, API.md promises {promised}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Every_promise_names_a_method_that_exists_and_a_policy_that_is_registered()
    {
        var methods = Implementations().SelectMany(i => i.Descriptor.Methods.Select(m => $"{i.Descriptor.FullName}/{m.Name}")).ToHashSet();
        Assert.DoesNotContain(Promised.Keys, k => !methods.Contains(k));
        Assert.DoesNotContain(Promised.Values, p => p != Anyone && !Policies.All.ContainsKey(p));
    }

    private static List<string> Declared(MethodInfo method)
    {
        var declared = method.GetCustomAttributes<AuthorizeAttribute>().Select(a => a.Policy ?? "(no policy)").ToList();
        declared.AddRange(method.GetCustomAttributes<AllowAnonymousAttribute>().Select(_ => Anyone));
        return declared;
    }

    /// <summary>The classes implementing a generated gRPC service base in the three services, with the service's descriptor.</summary>
    private static IEnumerable<(Type Type, ServiceDescriptor Descriptor)> Implementations() =>
        new[] { typeof(Wsis.Teams.TeamsModule), typeof(Wsis.Consultations.ConsultationsModule), typeof(Wsis.Reporting.ReportingModule) }
            .SelectMany(t => t.Assembly.GetTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.BaseType?.GetCustomAttribute<BindServiceMethodAttribute>() is not null)
            .Select(t => (t, (ServiceDescriptor)t.BaseType!.DeclaringType!.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!));
}
