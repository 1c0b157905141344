namespace Testing;

/// <summary>
/// A server binary the tests need is not installed. The tests fail (never skip) and say which
/// Debian package to install.
/// </summary>
public sealed class MissingDependencyException(string what, string debianPackage)
    : Exception($"{what} is not installed: run `apt-get install {debianPackage}` (or scripts/install-test-deps.sh).")
{
    public string DebianPackage { get; } = debianPackage;
}
