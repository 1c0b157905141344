using System.Diagnostics;

namespace Testing;

/// <summary>
/// A sidecar shell, in its own session, that waits for the test process to die and then runs a
/// cleanup script, so servers started by a crashed or killed test run do not outlive it.
/// </summary>
internal sealed class ProcessDeathWatch : IDisposable
{
    private readonly Process _sidecar;

    public ProcessDeathWatch(string cleanupScript, IReadOnlyDictionary<string, string>? environment = null)
    {
        var testProcessId = Environment.ProcessId;
        var script = $"while kill -0 {testProcessId} 2>/dev/null; do sleep 1; done; {cleanupScript}";
        _sidecar = ExternalCommand.StartDetached(script, environment, "/dev/null", newSession: true);
    }

    public void Dispose()
    {
        try
        {
            if (!_sidecar.HasExited)
            {
                _sidecar.Kill(entireProcessTree: true);
                _sidecar.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _sidecar.Dispose();
    }
}
