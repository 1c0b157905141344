using Xunit.Abstractions;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>Runs the class's tests in the order given by <see cref="OrderAttribute"/>: the faulty run
/// comes after the clean one on the same cluster.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OrderAttribute(int value) : Attribute
{
    public int Value { get; } = value;
}

public sealed class DeclarationOrderer : ITestCaseOrderer
{
    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.GetCustomAttributes(typeof(OrderAttribute).AssemblyQualifiedName!)
            .FirstOrDefault()?.GetConstructorArguments().OfType<int>().FirstOrDefault() ?? 0);
}
