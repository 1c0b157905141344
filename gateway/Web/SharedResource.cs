// The localizer finds Resources/SharedResource.*.resx under this namespace (the assembly is named Gateway).
[assembly: Microsoft.Extensions.Localization.RootNamespace("Wsis.Gateway")]

namespace Wsis.Gateway;

/// <summary>Marker for the pages' shared strings: Resources/SharedResource.{culture}.resx.
/// English is the key itself; add a culture by adding its .resx and listing it in <see cref="Web.WebPages.Cultures"/>.</summary>
public sealed class SharedResource;
