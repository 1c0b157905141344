namespace Wsis.Verify;

/// <summary>What a verification found: each check with its outcome, in order.</summary>
public sealed class Findings
{
    private readonly List<(bool Ok, string What)> _checks = [];

    public IReadOnlyList<(bool Ok, string What)> Checks => _checks;

    public bool AllPassed => _checks.Count > 0 && _checks.All(c => c.Ok);

    public bool Check(bool ok, string what)
    {
        _checks.Add((ok, what));
        return ok;
    }

    public void WriteTo(TextWriter output)
    {
        foreach (var (ok, what) in _checks)
        {
            output.WriteLine((ok ? "OK   " : "FAIL ") + what);
        }
    }
}
