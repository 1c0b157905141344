using Google.Api;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.OpenApi.Models;
using Microsoft.OpenApi.Writers;
using Scalar.AspNetCore;
using Swashbuckle.AspNetCore.Swagger;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Wsis.Gateway.Api;

/// <summary>
/// The one OpenAPI document of the whole JSON API (<c>/openapi/v1.json</c>) and its reference page
/// (<c>/api-reference</c>, Scalar).
///
/// The document is generated, never written: by Microsoft.AspNetCore.Grpc.Swagger, from the very
/// routes the services' JSON transcoding serves (the <c>google.api.http</c> annotations of the
/// <c>.proto</c> files in contracts/), with every field's and method's meaning from the proto comments
/// (the contracts' XML documentation) and the fields marked <c>google.api.field_behavior = REQUIRED</c>
/// listed as required. It is generated here, once at start, from the contracts the gateway already
/// references, rather than fetched from each service and merged: the gateway then documents exactly
/// the API it routes, the same in every mode, whichever instances are up, with no merging of three
/// documents' schemas. The generator runs in a container of its own (transcoding bound to stand-in
/// services that are never called), so nothing of it is served: the JSON routes stay YARP's.
/// </summary>
public sealed class ApiDocument
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api-reference";

    private ApiDocument(string json) => Json = json;

    public string Json { get; }

    public static ApiDocument Generate(IWebHostEnvironment environment)
    {
        var services = new ServiceCollection();
        services.AddSingleton(environment);
        services.AddSingleton<IHostEnvironment>(environment);
        services.AddLogging();
        services.AddRouting();
        services.AddGrpc().AddJsonTranscoding();
        services.AddGrpcSwagger();
        services.AddSwaggerGen(Describe);
        // The transcoded routes of every public service, for the API explorer to read.
        services.Replace(Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton<EndpointDataSource>(sp =>
        {
            var routes = new RouteTable(sp);
            routes.MapGrpcService<StakeholdersContract>();
            routes.MapGrpcService<TeamsContract>();
            routes.MapGrpcService<CoordinatorsMeetingsContract>();
            routes.MapGrpcService<ConsultationsContract>();
            routes.MapGrpcService<StocktakingContract>();
            routes.MapGrpcService<ReportsContract>();
            return new CompositeEndpointDataSource(routes.DataSources);
        }));
        using var provider = services.BuildServiceProvider();
        var document = provider.GetRequiredService<ISwaggerProvider>().GetSwagger("v1");
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        document.SerializeAsV3(new OpenApiJsonWriter(text));
        return new ApiDocument(text.ToString());
    }

    private static void Describe(SwaggerGenOptions options)
    {
        options.SwaggerDoc("v1", new OpenApiInfo
        {
            Title = "WSIS teams and CWG-Internet consultations",
            Version = "v1",
            Description = "JSON for every method of teams.v1, consultations.v1 and reporting.v1 (the same methods are served over gRPC). "
                + "Fields use the proto3 JSON mapping (lowerCamelCase names, enums by name, timestamps in RFC 3339, bytes in base64). "
                + "An error is an RFC 7807 problem whose title is the gRPC status name, with grpcStatus its number. "
                + "Methods that need a role take a bearer token (Authorization: Bearer <JWT>); reading published material needs none. "
                + "Create methods take an optional requestId: the same key returns the first result instead of creating twice.",
        });
        var xml = Path.Combine(AppContext.BaseDirectory, "Contracts.xml");
        if (File.Exists(xml))
        {
            options.IncludeXmlComments(xml);
            options.IncludeGrpcXmlComments(xml, includeControllerXmlComments: true);
        }

        options.CustomSchemaIds(type => ProtoTypes.FullNameOf(type) ?? type.Name);
        options.SchemaFilter<RequiredFields>();
        options.DocumentFilter<ProblemAnswers>();
        options.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A token from the organisation's identity provider (claims sub, name, roles, country, org).",
        });
        // Either no token (public methods) or a bearer token: each method's description says who may call it.
        options.AddSecurityRequirement(new OpenApiSecurityRequirement());
        options.AddSecurityRequirement(new OpenApiSecurityRequirement
        {
            [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "bearer" } }] = [],
        });
    }

    /// <summary>Serves the document and the reference page on the web port.</summary>
    public static IEndpointRouteBuilder MapApiReference(IEndpointRouteBuilder app)
    {
        var document = app.ServiceProvider.GetRequiredService<ApiDocument>();
        app.MapGet(DocumentPath, () => Results.Text(document.Json, "application/json")).AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, o =>
        {
            o.Title = "WSIS API reference";
            o.AddDocument("v1", routePattern: DocumentPath);
        }).AllowAnonymous();
        return app;
    }

    /// <summary>Marks the fields annotated <c>(google.api.field_behavior) = REQUIRED</c> as required in their message's schema.</summary>
    private sealed class RequiredFields : ISchemaFilter
    {
        public void Apply(OpenApiSchema schema, SchemaFilterContext context)
        {
            if (ProtoTypes.MessageOf(context.Type) is not { } message)
            {
                return;
            }

            foreach (var field in message.Fields.InFieldNumberOrder())
            {
                if (field.GetOptions()?.GetExtension(FieldBehaviorExtensions.FieldBehavior)?.Contains(FieldBehavior.Required) == true)
                {
                    schema.Required.Add(field.JsonName);
                }
            }
        }
    }

    /// <summary>
    /// Errors as the services send them (RFC 7807 problems, see Platform.ServiceDefaults' TranscodedJson)
    /// rather than the transcoder's google.rpc.Status, whose schemas then go.
    /// </summary>
    private sealed class ProblemAnswers : IDocumentFilter
    {
        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            var schemas = document.Components.Schemas;
            schemas["Problem"] = new OpenApiSchema
            {
                Type = "object",
                Description = "An error (RFC 7807). The HTTP status follows google.rpc's mapping of the gRPC status (NOT_FOUND 404, INVALID_ARGUMENT and FAILED_PRECONDITION 400, PERMISSION_DENIED 403, UNAUTHENTICATED 401, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, ...).",
                Properties = new Dictionary<string, OpenApiSchema>
                {
                    ["type"] = new() { Type = "string", Description = "A link describing the HTTP status." },
                    ["title"] = new() { Type = "string", Description = "The gRPC status name, e.g. NOT_FOUND." },
                    ["status"] = new() { Type = "integer", Format = "int32", Description = "The HTTP status." },
                    ["detail"] = new() { Type = "string", Description = "What is wrong, naming the field or the rule." },
                    ["grpcStatus"] = new() { Type = "integer", Format = "int32", Description = "The gRPC status number, e.g. 5 for NOT_FOUND." },
                    ["traceId"] = new() { Type = "string", Description = "The trace to quote when reporting a failure." },
                },
            };
            var problem = new OpenApiResponse
            {
                Description = "Error",
                Content = { ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchema { Reference = new OpenApiReference { Type = ReferenceType.Schema, Id = "Problem" } } } },
            };
            foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations.Values))
            {
                operation.Responses["default"] = problem;
            }

            // google.rpc.Status and what only it referred to (Any, the Struct family).
            foreach (var unused in new[] { "Status", "Any", "Struct", "Value", "ListValue", "NullValue", "KindOneofCase" })
            {
                schemas.Remove(unused);
            }
        }
    }

    /// <summary>An <see cref="IEndpointRouteBuilder"/> that only collects endpoints.</summary>
    private sealed class RouteTable(IServiceProvider services) : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider => services;
        public ICollection<EndpointDataSource> DataSources { get; } = new List<EndpointDataSource>();
        public IApplicationBuilder CreateApplicationBuilder() => new ApplicationBuilder(services);
    }

    // Stand-ins the generator binds the transcoded routes to; never called.
    private sealed class StakeholdersContract : Wsis.Teams.V1.Stakeholders.StakeholdersBase;
    private sealed class TeamsContract : Wsis.Teams.V1.Teams.TeamsBase;
    private sealed class CoordinatorsMeetingsContract : Wsis.Teams.V1.CoordinatorsMeetings.CoordinatorsMeetingsBase;
    private sealed class ConsultationsContract : Wsis.Consultations.V1.Consultations.ConsultationsBase;
    private sealed class StocktakingContract : Wsis.Reporting.V1.Stocktaking.StocktakingBase;
    private sealed class ReportsContract : Wsis.Reporting.V1.Reports.ReportsBase;
}

/// <summary>The protobuf names of the contracts' generated types.</summary>
internal static class ProtoTypes
{
    private static readonly Dictionary<Type, (string FullName, MessageDescriptor? Message)> Types = Build();

    public static string? FullNameOf(Type type) => Types.TryGetValue(type, out var t) ? t.FullName : null;

    public static MessageDescriptor? MessageOf(Type type) => Types.TryGetValue(type, out var t) ? t.Message : null;

    private static Dictionary<Type, (string, MessageDescriptor?)> Build()
    {
        var types = new Dictionary<Type, (string, MessageDescriptor?)>();
        void AddMessage(MessageDescriptor message)
        {
            if (message.ClrType is { } clr)
            {
                types[clr] = (message.FullName, message);
            }

            foreach (var nested in message.NestedTypes)
            {
                AddMessage(nested);
            }

            foreach (var e in message.EnumTypes.Where(e => e.ClrType is not null))
            {
                types[e.ClrType] = (e.FullName, null);
            }
        }

        foreach (var file in new[] { Wsis.Teams.V1.TeamsReflection.Descriptor, Wsis.Consultations.V1.ConsultationsReflection.Descriptor, Wsis.Reporting.V1.ReportingReflection.Descriptor })
        {
            foreach (var message in file.MessageTypes)
            {
                AddMessage(message);
            }

            foreach (var e in file.EnumTypes.Where(e => e.ClrType is not null))
            {
                types[e.ClrType] = (e.FullName, null);
            }
        }

        return types;
    }
}
