using System.Globalization;

namespace Campaigns.Benchmarks.Runner;

/// <summary>
/// The runner's command line: <c>--scenario &lt;name|all&gt; --size &lt;N&gt; --out &lt;dir&gt;</c>, plus
/// <c>--runs</c> (repeats per figure, default 3), <c>--hangfire-size</c> (messages of the Hangfire
/// baseline, default the smaller of the size and 20,000) and <c>--data</c> (where the SQLite files
/// go, default a temporary folder removed afterwards).
/// </summary>
internal sealed record BenchmarkArguments(string Scenario, int Size, string OutputDirectory, int Runs, int HangfireSize, string? DataDirectory)
{
    public const int DefaultRuns = 3;
    public const int DefaultHangfireSize = 20_000;

    public const string Usage = """
        usage: dotnet run -c Release --project tests/Campaigns.Benchmarks -- --scenario <name|all> --size <N> --out <dir>
                 [--runs <R>] [--hangfire-size <N>] [--data <dir>]
               dotnet run -c Release --project tests/Campaigns.Benchmarks -- --bdn [BenchmarkDotNet arguments]

          --scenario       fanout, import, reporting, replies, scheduling, or all (the implemented ones;
                           reporting needs PostgreSQL: run `source <(bash .ci/services)` first)
          --size           recipients or rows per run (1,000,000 for the documented figures)
          --out            folder for results.md and results.json
          --runs           runs per figure; medians and spread are taken over them (default 3)
          --hangfire-size  messages in the Hangfire baseline of fanout (default: the smaller of --size and 20000)
          --data           folder for the SQLite files (default: a temporary folder, removed afterwards)
          --bdn            run the BenchmarkDotNet micro benchmarks (allocations per message) instead
        """;

    /// <summary>Parses the arguments, or names every problem with them.</summary>
    public static (BenchmarkArguments? Arguments, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
    {
        var errors = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] known = ["--scenario", "--size", "--out", "--runs", "--hangfire-size", "--data"];
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                errors.Add($"'{name}' is not an option.");
                continue;
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"{name} needs a value.");
                continue;
            }

            if (!values.TryAdd(name, args[++i]))
            {
                errors.Add($"{name} is given more than once.");
            }
        }

        var scenario = values.GetValueOrDefault("--scenario");
        if (string.IsNullOrWhiteSpace(scenario))
        {
            errors.Add("--scenario is required.");
        }

        var size = Positive("--size", required: true, 0);
        var runs = Positive("--runs", required: false, DefaultRuns);
        var hangfireSize = Positive("--hangfire-size", required: false, Math.Min(size, DefaultHangfireSize));
        var output = values.GetValueOrDefault("--out");
        if (string.IsNullOrWhiteSpace(output))
        {
            errors.Add("--out is required.");
        }

        return errors.Count > 0
            ? (null, errors)
            : (new BenchmarkArguments(scenario!.Trim().ToLowerInvariant(), size, output!, runs, hangfireSize, values.GetValueOrDefault("--data")), errors);

        int Positive(string name, bool required, int fallback)
        {
            if (!values.TryGetValue(name, out var text))
            {
                if (required)
                {
                    errors.Add($"{name} is required.");
                }

                return fallback;
            }

            if (!int.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal).Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                errors.Add($"{name} must be a positive whole number, not '{text}'.");
                return fallback;
            }

            return value;
        }
    }
}
