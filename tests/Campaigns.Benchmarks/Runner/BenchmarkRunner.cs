namespace Campaigns.Benchmarks.Runner;

/// <summary>Runs the selected scenarios one after the other and writes their results.</summary>
internal static class BenchmarkRunner
{
    public static async Task<int> RunAsync(BenchmarkArguments arguments, IReadOnlyList<IScenario> scenarios, TextWriter log, CancellationToken cancellationToken)
    {
        var machine = MachineInfo.Current();
        var ownsData = arguments.DataDirectory is null;
        var data = arguments.DataDirectory ?? Directory.CreateTempSubdirectory("campaigns-bench-").FullName;
        log.WriteLine($"Campaigns benchmarks: {string.Join(", ", scenarios.Select(s => s.Name))} at {arguments.Size:N0}, {arguments.Runs} run(s) each, on {machine}.");
        log.WriteLine($"Data in {data}; results to {Path.GetFullPath(arguments.OutputDirectory)}.");
        var results = new List<ScenarioResult>();
        var failed = 0;
        try
        {
            foreach (var scenario in scenarios)
            {
                var folder = Path.Combine(data, scenario.Name);
                Directory.CreateDirectory(folder);
                var context = new ScenarioContext(arguments.Size, arguments.Runs, arguments.HangfireSize, folder, machine, log);
                context.Say($"{scenario.Name}: {scenario.Description}");
                try
                {
                    var loadBefore = LoadAverage();
                    var result = await scenario.RunAsync(context, cancellationToken);
                    if (loadBefore is not null)
                    {
                        // Other work on the machine slows every figure: the load says how much there was.
                        result = result with { Notes = [.. result.Notes, $"Load average (1 min) of the machine: {loadBefore} at the start, {LoadAverage()} at the end, on {machine.Cores} cores."] };
                    }

                    results.Add(result);
                    context.Say($"{scenario.Name} done: " + string.Join(", ", result.Metrics.Select(m => $"{m.Key} {ResultsWriter.Format(m.Value)}")
                        .Concat(result.Ratios.Select(r => $"ratio to {r.Key} {ResultsWriter.Format(r.Value)}"))
                        .Append($"peak memory {ResultsWriter.Format(result.PeakMemoryMb)} MB")));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failed++;
                    log.WriteLine($"Scenario {scenario.Name} failed: {ex}");
                }
                finally
                {
                    if (ownsData)
                    {
                        TryDelete(folder);
                    }
                }
            }
        }
        finally
        {
            if (ownsData)
            {
                TryDelete(data);
            }
        }

        await ResultsWriter.WriteAsync(arguments.OutputDirectory, results, cancellationToken);
        log.WriteLine(ResultsWriter.ToMarkdown(results));
        log.WriteLine($"Wrote {Path.Combine(arguments.OutputDirectory, "results.md")} and results.json.");
        return failed == 0 ? 0 : 1;
    }

    private static string? LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null;

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing; the temp folder is cleaned by the OS.
        }
    }
}
