using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wsis.Cluster.Bench;

/// <summary>The shared benchmark output (BENCH_OUT/&lt;name&gt;.json: title, machine, started,
/// notes, tables of strings, metrics with unit and optional target) and the same tables as
/// Markdown on stdout.</summary>
public sealed class BenchReport(string title, string machine)
{
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private readonly List<string> _notes = [];
    private readonly List<(string Caption, string[] Columns, List<string[]> Rows)> _tables = [];
    private readonly JsonArray _metrics = [];

    public void Note(string note)
    {
        _notes.Add(note);
        Console.WriteLine("note: " + note);
    }

    public void Table(string caption, string[] columns, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        _tables.Add((caption, columns, list));
        Console.WriteLine();
        Console.WriteLine($"{caption}");
        Console.WriteLine("| " + string.Join(" | ", columns) + " |");
        Console.WriteLine("|" + string.Concat(columns.Select(_ => " --- |")));
        foreach (var row in list)
        {
            Console.WriteLine("| " + string.Join(" | ", row) + " |");
        }
    }

    /// <summary>unit: "req/s", "%", "ms", "MiB" or "/s".</summary>
    public void Metric(string name, double value, string unit, string? target = null, bool? met = null)
    {
        var metric = new JsonObject
        {
            ["name"] = name,
            ["value"] = double.IsFinite(value) ? Math.Round(value, 2) : null,
            ["unit"] = unit,
        };
        if (target is not null)
        {
            metric["target"] = target;
        }
        if (met is not null)
        {
            metric["met"] = met;
        }
        _metrics.Add(metric);
    }

    public void Write(string path)
    {
        var json = new JsonObject
        {
            ["title"] = title,
            ["machine"] = machine,
            ["started"] = _started.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["notes"] = new JsonArray([.. _notes.Select(n => (JsonNode?)n)]),
            ["tables"] = new JsonArray([.. _tables.Select(t => (JsonNode?)new JsonObject
            {
                ["caption"] = t.Caption,
                ["columns"] = new JsonArray([.. t.Columns.Select(c => (JsonNode?)c)]),
                ["rows"] = new JsonArray([.. t.Rows.Select(r => (JsonNode?)new JsonArray([.. r.Select(c => (JsonNode?)c)]))]),
            })]),
            ["metrics"] = _metrics,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine();
        Console.WriteLine($"written: {path}");
    }

    public static string N(double v, int decimals = 0) =>
        double.IsFinite(v) ? v.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";
}
