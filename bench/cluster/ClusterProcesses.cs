using System.Diagnostics;
using System.Globalization;

namespace Wsis.Cluster.Bench;

/// <summary>The cluster's processes, found from the pid files scripts/cluster.sh keeps in its state
/// folder (PostgreSQL's postmaster.pid for the database server), each with its descendants
/// (PostgreSQL's backends, RabbitMQ's Erlang VM under its start script).</summary>
public sealed class ClusterProcesses(string stateDir)
{
    public sealed record Usage(string Name, int Processes, double CpuSeconds, double RssMiB, double PssMiB);

    private static readonly (string Name, string PidFile)[] Members =
    [
        ("PostgreSQL (all processes)", "pg/postmaster.pid"),
        ("RabbitMQ", "pids/rabbitmq.pid"),
        ("Teams", "pids/teams.pid"),
        ("Consultations #1", "pids/consultations-1.pid"),
        ("Consultations #2", "pids/consultations-2.pid"),
        ("Reporting", "pids/reporting.pid"),
        ("gateway", "pids/gateway.pid"),
    ];

    public IReadOnlyList<Usage> Sample()
    {
        var children = ChildrenByParent();
        var result = new List<Usage>();
        foreach (var (name, file) in Members)
        {
            var path = Path.Combine(stateDir, file);
            if (!File.Exists(path) || !int.TryParse(File.ReadLines(path).FirstOrDefault()?.Trim(), out var root))
            {
                result.Add(new Usage(name, 0, double.NaN, double.NaN, double.NaN));
                continue;
            }
            result.Add(Measure(name, Tree(root, children)));
        }
        result.Add(Measure("this load program", [Environment.ProcessId]));
        return result;
    }

    private static Usage Measure(string name, List<int> pids)
    {
        double cpu = 0, rss = 0, pss = 0;
        var alive = 0;
        foreach (var pid in pids)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                cpu += p.TotalProcessorTime.TotalSeconds;
                rss += StatusKiB(pid, "/proc/{0}/status", "VmRSS:");
                pss += StatusKiB(pid, "/proc/{0}/smaps_rollup", "Pss:");
                alive++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // Gone between listing and reading: a short-lived child; nothing to add.
            }
        }
        return new Usage(name, alive, cpu, rss / 1024, pss / 1024);
    }

    private static double StatusKiB(int pid, string file, string key)
    {
        var line = File.ReadLines(string.Format(CultureInfo.InvariantCulture, file, pid)).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static List<int> Tree(int root, Dictionary<int, List<int>> children)
    {
        var all = new List<int>();
        var todo = new Stack<int>([root]);
        while (todo.TryPop(out var pid))
        {
            all.Add(pid);
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                todo.Push(child);
            }
        }
        return all;
    }

    private static Dictionary<int, List<int>> ChildrenByParent()
    {
        var map = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!map.TryGetValue(parent, out var list))
                {
                    map[parent] = list = [];
                }
                list.Add(pid);
            }
            catch (IOException)
            {
            }
        }
        return map;
    }
}
