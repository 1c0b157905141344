using System.Text.Json.Nodes;
using Google.Protobuf.Reflection;

namespace Wsis.Gateway.Json;

/// <summary>Builds an OpenAPI 3.0 document for the JSON endpoints from the proto descriptors:
/// one POST operation per unary method, one schema per message and enum, field names and types
/// as the proto3 JSON mapping writes them (64-bit integers as strings, bytes as base64,
/// Timestamp as an RFC 3339 string, enums by name).</summary>
public static class OpenApiDocument
{
    public static JsonObject Build(ProtoCatalog catalog)
    {
        var schemas = new JsonObject();
        var paths = new JsonObject();
        foreach (var service in catalog.Services)
        {
            foreach (var method in service.Methods)
            {
                if (method.IsClientStreaming || method.IsServerStreaming)
                {
                    continue;
                }
                AddMessage(schemas, method.InputType);
                AddMessage(schemas, method.OutputType);
                paths[$"/api/{service.FullName}/{method.Name}"] = new JsonObject
                {
                    ["post"] = new JsonObject
                    {
                        ["operationId"] = $"{service.FullName}.{method.Name}",
                        ["tags"] = new JsonArray(service.FullName),
                        ["summary"] = $"{service.Name}.{method.Name}",
                        ["requestBody"] = new JsonObject
                        {
                            ["required"] = true,
                            ["content"] = JsonContent(Ref(method.InputType)),
                        },
                        ["responses"] = new JsonObject
                        {
                            ["200"] = new JsonObject { ["description"] = method.OutputType.Name, ["content"] = JsonContent(Ref(method.OutputType)) },
                            ["default"] = new JsonObject
                            {
                                ["description"] = "gRPC error mapped to HTTP (RFC 7807)",
                                ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ProblemDetails" } } },
                            },
                        },
                    },
                };
            }
        }
        schemas["ProblemDetails"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["type"] = new JsonObject { ["type"] = "string" },
                ["title"] = new JsonObject { ["type"] = "string", ["description"] = "the gRPC status name" },
                ["status"] = new JsonObject { ["type"] = "integer" },
                ["detail"] = new JsonObject { ["type"] = "string" },
                ["grpcStatus"] = new JsonObject { ["type"] = "integer" },
            },
        };

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "WSIS gateway JSON API",
                ["version"] = "v1",
                ["description"] = "JSON transcoding of the gRPC services teams.v1, consultations.v1 and reporting.v1 (proto3 JSON mapping).",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT" },
                },
            },
            ["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() }, new JsonObject()),
        };
    }

    private static JsonObject JsonContent(JsonNode schema) =>
        new() { ["application/json"] = new JsonObject { ["schema"] = schema } };

    private static JsonObject Ref(MessageDescriptor message) =>
        WellKnown(message.FullName) ?? new JsonObject { ["$ref"] = $"#/components/schemas/{message.FullName}" };

    private static JsonObject? WellKnown(string fullName) => fullName switch
    {
        "google.protobuf.Timestamp" => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
        "google.protobuf.Duration" => new JsonObject { ["type"] = "string", ["pattern"] = "^-?[0-9]+(\\.[0-9]{1,9})?s$" },
        "google.protobuf.Empty" => new JsonObject { ["type"] = "object" },
        "google.protobuf.Struct" => new JsonObject { ["type"] = "object", ["additionalProperties"] = true },
        "google.protobuf.Value" => new JsonObject(),
        "google.protobuf.ListValue" => new JsonObject { ["type"] = "array", ["items"] = new JsonObject() },
        "google.protobuf.Any" => new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["@type"] = new JsonObject { ["type"] = "string" } } },
        "google.protobuf.FieldMask" => new JsonObject { ["type"] = "string" },
        "google.protobuf.StringValue" or "google.protobuf.BytesValue" => new JsonObject { ["type"] = "string", ["nullable"] = true },
        "google.protobuf.BoolValue" => new JsonObject { ["type"] = "boolean", ["nullable"] = true },
        "google.protobuf.Int32Value" or "google.protobuf.UInt32Value" => new JsonObject { ["type"] = "integer", ["nullable"] = true },
        "google.protobuf.Int64Value" or "google.protobuf.UInt64Value" => new JsonObject { ["type"] = "string", ["format"] = "int64", ["nullable"] = true },
        "google.protobuf.FloatValue" or "google.protobuf.DoubleValue" => new JsonObject { ["type"] = "number", ["nullable"] = true },
        _ => null,
    };

    private static void AddMessage(JsonObject schemas, MessageDescriptor message)
    {
        if (WellKnown(message.FullName) is not null || schemas.ContainsKey(message.FullName))
        {
            return;
        }
        var properties = new JsonObject();
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        schemas[message.FullName] = schema; // before recursing: messages may refer to themselves
        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            properties[field.JsonName] = FieldSchema(schemas, field);
        }
    }

    private static JsonNode FieldSchema(JsonObject schemas, FieldDescriptor field)
    {
        if (field.IsMap)
        {
            var valueField = field.MessageType.FindFieldByNumber(2);
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = SingleSchema(schemas, valueField) };
        }
        var single = SingleSchema(schemas, field);
        return field.IsRepeated ? new JsonObject { ["type"] = "array", ["items"] = single } : single;
    }

    private static JsonNode SingleSchema(JsonObject schemas, FieldDescriptor field)
    {
        switch (field.FieldType)
        {
            case FieldType.Message or FieldType.Group:
                AddMessage(schemas, field.MessageType);
                return Ref(field.MessageType);
            case FieldType.Enum:
                AddEnum(schemas, field.EnumType);
                return new JsonObject { ["$ref"] = $"#/components/schemas/{field.EnumType.FullName}" };
            case FieldType.Bool:
                return new JsonObject { ["type"] = "boolean" };
            case FieldType.String:
                return new JsonObject { ["type"] = "string" };
            case FieldType.Bytes:
                return new JsonObject { ["type"] = "string", ["format"] = "byte" };
            case FieldType.Double or FieldType.Float:
                return new JsonObject { ["type"] = "number", ["format"] = field.FieldType == FieldType.Double ? "double" : "float" };
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64:
                // proto3 JSON writes 64-bit integers as strings (JavaScript numbers lose precision).
                return new JsonObject { ["type"] = "string", ["format"] = field.FieldType is FieldType.UInt64 or FieldType.Fixed64 ? "uint64" : "int64" };
            case FieldType.UInt32 or FieldType.Fixed32:
                return new JsonObject { ["type"] = "integer", ["format"] = "int64", ["minimum"] = 0 };
            default:
                return new JsonObject { ["type"] = "integer", ["format"] = "int32" };
        }
    }

    private static void AddEnum(JsonObject schemas, EnumDescriptor e)
    {
        if (schemas.ContainsKey(e.FullName))
        {
            return;
        }
        var values = new JsonArray();
        foreach (var v in e.Values)
        {
            values.Add(v.Name);
        }
        schemas[e.FullName] = new JsonObject { ["type"] = "string", ["enum"] = values };
    }
}
