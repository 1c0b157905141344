using System.Reflection;
using Platform.Domain;
using Wsis.Reporting.Model;
using Xunit;

namespace Wsis.Reporting.Tests;

/// <summary>How the model tests read a refusal: its kind and the API fields its message names.</summary>
public static class Refusals
{
    public static DomainException Of(Action act) => Assert.Throws<DomainException>(act);

    public static DomainException Of<T>(Func<T> act) => Assert.Throws<DomainException>(() => act());

    /// <summary>The fields an INVALID_ARGUMENT names: each of its "; "-separated texts starts with one.</summary>
    public static IReadOnlyList<string> Fields(DomainException e) =>
        e.Message.Split("; ").Select(text => text.Split(' ')[0]).ToList();

    public static Actor Coordinator(string org, string subject = "coordinator") => Actor.Create(subject, [Role.Coordinator], org);

    public static Actor Secretariat { get; } = Actor.Create("secretariat", [Role.Secretariat]);

    public static Actor MemberState(string country) => Actor.Create("ms-" + country.ToLowerInvariant(), [Role.MemberState], country: country);
}

/// <summary>
/// Puts a value into a stored field the model itself would never write that way, as a row changed
/// in the database (or written by an older version) would hold it.
/// </summary>
public static class Stored
{
    public static void Overwrite<T>(T entity, string property, object? value) where T : class =>
        typeof(T).GetProperty(property, BindingFlags.Public | BindingFlags.Instance)!.SetValue(entity, value);
}
