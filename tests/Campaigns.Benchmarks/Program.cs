using Campaigns.Benchmarks.Micro;
using Campaigns.Benchmarks.Runner;

namespace Campaigns.Benchmarks;

/// <summary>The benchmark runner's entry point (see <see cref="BenchmarkArguments.Usage"/>).</summary>
internal static class BenchmarkProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--bdn")
        {
            return MicroBenchmarks.Run(args[1..]);
        }

        if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(BenchmarkArguments.Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var (arguments, errors) = BenchmarkArguments.Parse(args);
        if (arguments is null)
        {
            foreach (var error in errors)
            {
                Console.Error.WriteLine(error);
            }

            Console.Error.WriteLine(BenchmarkArguments.Usage);
            return 2;
        }

        var (scenarios, problem) = ScenarioCatalog.Select(arguments.Scenario);
        if (problem is not null)
        {
            Console.Error.WriteLine(problem);
            return 3;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        return await BenchmarkRunner.RunAsync(arguments, scenarios, Console.Out, cancel.Token);
    }
}
