namespace Campaigns.Benchmarks.Runner;

/// <summary>
/// One benchmark scenario: sets itself up in its own data folder, runs its measurement and its
/// baselines <see cref="ScenarioContext.Runs"/> times, and returns medians with their spread.
/// A new scenario is one class implementing this, added to <see cref="ScenarioCatalog.Implemented"/>.
/// </summary>
internal interface IScenario
{
    /// <summary>The name given to <c>--scenario</c>.</summary>
    string Name { get; }

    /// <summary>What it measures, in one line.</summary>
    string Description { get; }

    Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken);
}

/// <summary>What a scenario is given: the size, the repeats, its own data folder and a log.</summary>
internal sealed record ScenarioContext(int Size, int Runs, int HangfireSize, string DataDirectory, MachineInfo Machine, TextWriter Log)
{
    public void Say(string message) => Log.WriteLine($"[{DateTimeOffset.Now:HH:mm:ss}] {message}");
}
