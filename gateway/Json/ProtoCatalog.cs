using Google.Protobuf;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Wsis.Gateway.Json;

/// <summary>The public API as the generated code describes it: every service of teams.v1,
/// consultations.v1 and reporting.v1 with its methods and message types. The JSON endpoints and
/// the OpenAPI document read it, so they follow the .proto files without a second definition.</summary>
public sealed class ProtoCatalog
{
    private readonly Dictionary<string, ServiceDescriptor> _services;

    public ProtoCatalog()
        : this([Wsis.Teams.V1.TeamsReflection.Descriptor, Wsis.Consultations.V1.ConsultationsReflection.Descriptor, Wsis.Reporting.V1.ReportingReflection.Descriptor])
    {
    }

    public ProtoCatalog(IReadOnlyList<FileDescriptor> files)
    {
        Files = files;
        _services = files.SelectMany(f => f.Services).ToDictionary(s => s.FullName, StringComparer.Ordinal);
        TypeRegistry = TypeRegistry.FromFiles(files.ToArray());
        Parser = new JsonParser(JsonParser.Settings.Default.WithTypeRegistry(TypeRegistry).WithIgnoreUnknownFields(false));
        Formatter = new JsonFormatter(JsonFormatter.Settings.Default.WithTypeRegistry(TypeRegistry).WithFormatDefaultValues(true));
    }

    public IReadOnlyList<FileDescriptor> Files { get; }

    public IEnumerable<ServiceDescriptor> Services => _services.Values.OrderBy(s => s.FullName, StringComparer.Ordinal);

    public TypeRegistry TypeRegistry { get; }

    public JsonParser Parser { get; }

    /// <summary>Proto3 JSON mapping; fields at their default value are written too, so a JSON
    /// client sees <c>0</c>, <c>false</c> and <c>[]</c> instead of absent properties.</summary>
    public JsonFormatter Formatter { get; }

    public MethodDescriptor? FindMethod(string service, string method) =>
        _services.TryGetValue(service, out var s) ? s.FindMethodByName(method) : null;
}
