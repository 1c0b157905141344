using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Wsis.Consultations;
using Wsis.Gateway;
using Wsis.Mail;
using Wsis.Reporting;
using Wsis.Teams;

namespace Architecture.Tests;

/// <summary>
/// Modules and deployables (issue 25): each service, the gateway and the SMTP door is a class library
/// whose Add/Map methods do everything; a deployable (<c>deploy/&lt;Name&gt;</c>) is its entry point, its
/// settings and its Dockerfile, and the embedded host composes the same libraries.
/// </summary>
public sealed class ModulesAndDeployablesTests
{
    private static readonly string Root = RepositoryRoot();

    public static TheoryData<string> Modules => new() { "Teams", "Consultations", "Reporting", "Gateway", "Mail" };

    private static readonly Dictionary<string, (Assembly Assembly, string Folder)> ModuleOf = new(StringComparer.Ordinal)
    {
        ["Teams"] = (typeof(TeamsModule).Assembly, "services/Teams"),
        ["Consultations"] = (typeof(ConsultationsModule).Assembly, "services/Consultations"),
        ["Reporting"] = (typeof(ReportingModule).Assembly, "services/Reporting"),
        ["Gateway"] = (typeof(GatewayModule).Assembly, "gateway"),
        ["Mail"] = (typeof(MailDoorModule).Assembly, "mail"),
    };

    [Theory]
    [MemberData(nameof(Modules))]
    public void A_module_is_a_library_with_no_entry_point_and_no_settings_file(string module)
    {
        var (assembly, folder) = ModuleOf[module];

        Assert.Null(assembly.EntryPoint);
        Assert.Equal("Wsis." + module, assembly.GetName().Name);
        var project = XDocument.Load(Path.Combine(Root, folder, module + ".csproj"));
        Assert.NotEqual("Microsoft.NET.Sdk.Web", project.Root!.Attribute("Sdk")?.Value);
        Assert.DoesNotContain(project.Descendants("OutputType"), o => o.Value == "Exe");
        Assert.Empty(SourceFiles(folder, "appsettings*.json"));
        Assert.Empty(SourceFiles(folder, "Program.cs"));
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void A_deployable_is_an_entry_point_over_its_module_and_nothing_more(string module)
    {
        var folder = "deploy/" + module;

        Assert.Equal(["Program.cs"], SourceFiles(folder, "*.cs").Select(Path.GetFileName));
        var references = XDocument.Load(Path.Combine(Root, folder, module + ".Deployable.csproj")).Descendants("ProjectReference")
            .Select(r => ProjectFolder(folder, r.Attribute("Include")!.Value)).ToList();
        Assert.Equal([ModuleOf[module].Folder], references);

        // Built (the test project references it without its assembly): `dotnet <Module>.dll` has an entry point.
        using var pe = new PEReader(File.OpenRead(Path.Combine(Root, folder, "bin", Configuration(), TargetFramework(), module + ".dll")));
        Assert.NotEqual(0, pe.PEHeaders.CorHeader!.EntryPointTokenOrRelativeVirtualAddress);
    }

    [Fact]
    public void The_embedded_host_references_only_modules()
    {
        var references = XDocument.Load(Path.Combine(Root, "host", "Host.csproj")).Descendants("ProjectReference")
            .Select(r => ProjectFolder("host", r.Attribute("Include")!.Value))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(ModuleOf.Values.Select(m => m.Folder).Order(StringComparer.Ordinal), references);
        Assert.Empty(XDocument.Load(Path.Combine(Root, "host", "Host.csproj")).Descendants("Target"));
    }

    private static List<string> SourceFiles(string folder, string pattern) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), pattern, SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(Path.Combine(Root, folder), f).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
            .ToList();

    private static string ProjectFolder(string from, string include) =>
        Path.GetRelativePath(Root, Path.GetDirectoryName(Path.GetFullPath(Path.Combine(Root, from, include.Replace('\\', '/'))))!).Replace('\\', '/');

    private static string TargetFramework() => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;

    private static string Configuration() => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Microservices.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above " + AppContext.BaseDirectory);
    }
}
