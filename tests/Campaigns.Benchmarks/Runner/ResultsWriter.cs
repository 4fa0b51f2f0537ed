using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Campaigns.Benchmarks.Runner;

/// <summary>Writes <c>results.json</c> (one object per scenario) and <c>results.md</c> (the same figures as tables).</summary>
internal static class ResultsWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task WriteAsync(string directory, IReadOnlyList<ScenarioResult> results, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.json"), ToJson(results), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "results.md"), ToMarkdown(results), cancellationToken);
    }

    public static string ToJson(IReadOnlyList<ScenarioResult> results) =>
        JsonSerializer.Serialize(results.Select(r => r with { Metrics = Rounded(r.Metrics), Ratios = Rounded(r.Ratios), PeakMemoryMb = Round(r.PeakMemoryMb) }), Json) + "\n";

    public static string ToMarkdown(IReadOnlyList<ScenarioResult> results)
    {
        var md = new StringBuilder();
        md.AppendLine("| Scenario | Size | Figure | Median | Spread (min – max) | Runs |");
        md.AppendLine("| --- | ---: | --- | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            foreach (var (name, value) in r.Metrics)
            {
                md.AppendLine(Row(r, name, value, r.Spread.GetValueOrDefault(name)));
            }

            foreach (var (name, value) in r.Ratios)
            {
                md.AppendLine(Row(r, $"ratio to {name}", value, r.Spread.GetValueOrDefault("ratio." + name)));
            }

            md.AppendLine(Row(r, "peakMemoryMb", r.PeakMemoryMb, r.Spread.GetValueOrDefault("peakMemoryMb")));
        }

        if (results.Any(r => r.Targets.Count > 0))
        {
            md.AppendLine();
            md.AppendLine("| Scenario | Target | Measured | Met |");
            md.AppendLine("| --- | --- | ---: | --- |");
            foreach (var r in results)
            {
                foreach (var t in r.Targets)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Scenario} | {t.Name}: {t.Target} | {Format(t.Actual)} | {(t.Met ? "yes" : "**no**")} |");
                }
            }
        }

        md.AppendLine();
        foreach (var machine in results.Select(r => r.Machine).Distinct())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}.");
        }

        foreach (var r in results.Where(r => r.Notes.Count > 0))
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Notes on {r.Scenario}:");
            foreach (var note in r.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        return md.ToString();
    }

    private static string Row(ScenarioResult r, string name, double value, Spread? spread) =>
        string.Create(CultureInfo.InvariantCulture, $"| {r.Scenario} | {r.Size:N0} | {name} | {Format(value)} | {(spread is null ? "–" : $"{Format(spread.Min)} – {Format(spread.Max)} (±{spread.RelativePercent / 2:0.#}%)")} | {r.Runs} |");

    /// <summary>Three significant figures at most, grouped thousands above 1,000.</summary>
    public static string Format(double value) => value switch
    {
        double.NaN => "n/a",
        >= 1000 or <= -1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 or <= -100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 or <= -10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, value is >= 100 or <= -100 ? 0 : 3) : value;

    private static Dictionary<string, double> Rounded(IReadOnlyDictionary<string, double> values) => values.ToDictionary(p => p.Key, p => Round(p.Value), StringComparer.Ordinal);
}
