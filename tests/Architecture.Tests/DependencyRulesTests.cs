using System.Reflection;
using NetArchTest.Rules;
using Wsis.Consultations;
using Wsis.Gateway;
using Wsis.Reporting;
using Wsis.Teams;

namespace Architecture.Tests;

/// <summary>
/// Which code may depend on which (house style, issue 25): the services share only
/// <c>contracts/</c> and <c>platform/</c>; a service's <c>Model/</c> holds the rules of the texts
/// and knows nothing of gRPC, EF Core or ASP.NET Core, so it reads the same in all three.
/// </summary>
public sealed class DependencyRulesTests
{
    public static TheoryData<string> Services => new() { "Teams", "Consultations", "Reporting" };

    private static readonly Dictionary<string, Assembly> Assemblies = new(StringComparer.Ordinal)
    {
        ["Teams"] = typeof(TeamsModule).Assembly,
        ["Consultations"] = typeof(ConsultationsModule).Assembly,
        ["Reporting"] = typeof(ReportingModule).Assembly,
    };

    /// <summary>What a model may not touch: transport, persistence, web hosting, and the wire types generated from the protos.</summary>
    private static readonly string[] OutsideTheModel =
    [
        "Grpc",
        "Google.Protobuf",
        "Microsoft.EntityFrameworkCore",
        "Npgsql",
        "Microsoft.AspNetCore",
        "MassTransit",
        "Platform.Security",
        "Platform.Messaging",
        "Platform.ServiceDefaults",
        "Wsis.Teams.V1",
        "Wsis.Consultations.V1",
        "Wsis.Reporting.V1",
        // The integration events and the service clients; Wsis.Contracts.Verification (the log's
        // hashing and proofs, pure algorithms the public verifier shares) may be used.
        "Wsis.Contracts.Events",
        "Wsis.Contracts.Clients",
    ];

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_references_no_other_service_nor_the_gateway(string service)
    {
        var forbidden = Assemblies.Where(a => a.Key != service).Select(a => a.Value.GetName().Name!)
            .Append(typeof(GatewayModule).Assembly.GetName().Name!)
            .Append("Wsis.Mail")
            .ToHashSet(StringComparer.Ordinal);

        var referenced = Assemblies[service].GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(referenced, forbidden.Contains);
        Assert.Contains("Contracts", referenced);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void No_type_of_a_service_uses_another_service_s_code(string service)
    {
        // Namespaces of the other services' own code (their wire types, Wsis.X.V1, live in contracts/ and may be used).
        var others = Assemblies.Keys.Where(s => s != service)
            .SelectMany(s => new[] { "Model", "Data", "Grpc", "Intake", "Closing", "IntegrationEvents" }.Select(folder => $"Wsis.{s}.{folder}"))
            .ToArray();

        var result = Types.InAssembly(Assemblies[service]).ShouldNot().HaveDependencyOnAny(others).GetResult();

        Assert.True(result.IsSuccessful, Failing(result));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void The_model_knows_nothing_of_gRPC_EF_Core_ASP_NET_Core_or_the_wire_types(string service)
    {
        var model = Types.InAssembly(Assemblies[service]).That().ResideInNamespace($"Wsis.{service}.Model");
        Assert.NotEmpty(model.GetTypes());

        var result = model.ShouldNot().HaveDependencyOnAny(OutsideTheModel).GetResult();

        Assert.True(result.IsSuccessful, Failing(result));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void The_model_does_not_reach_into_its_own_service_s_infrastructure(string service)
    {
        var infrastructure = new[] { "Data", "Grpc", "Intake", "Closing", "IntegrationEvents" }.Select(folder => $"Wsis.{service}.{folder}").ToArray();

        var result = Types.InAssembly(Assemblies[service]).That().ResideInNamespace($"Wsis.{service}.Model")
            .ShouldNot().HaveDependencyOnAny(infrastructure).GetResult();

        Assert.True(result.IsSuccessful, Failing(result));
    }

    [Fact]
    public void The_shared_domain_package_references_nothing_but_the_runtime()
    {
        var references = typeof(Platform.Domain.DomainException).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name is "System.Runtime" or "netstandard" || name.StartsWith("System.", StringComparison.Ordinal) || name == "NodaTime", name));
    }

    [Fact]
    public void The_gateway_reaches_the_services_only_through_contracts()
    {
        var names = typeof(GatewayModule).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(names, n => Assemblies.Values.Any(a => a.GetName().Name == n));
    }

    private static string Failing(TestResult result) =>
        "depends where it must not: " + string.Join(", ", result.FailingTypeNames ?? []);
}
