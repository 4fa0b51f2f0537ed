using Campaigns.Benchmarks.Scenarios;

namespace Campaigns.Benchmarks.Runner;

/// <summary>The scenarios the runner knows.</summary>
internal static class ScenarioCatalog
{
    /// <summary>Every implemented scenario, in the order <c>all</c> runs them. Register a new one here.</summary>
    public static IReadOnlyList<IScenario> Implemented { get; } =
    [
        new FanOutScenario(),
        new ImportScenario(),
        new ReportingScenario(),
    ];

    /// <summary>Scenarios of the performance plan that nobody has written yet: asking for one is an error, never a made-up figure.</summary>
    public static IReadOnlyList<string> Planned { get; } = ["replies", "scheduling"];

    /// <summary>The scenarios <paramref name="name"/> selects, or why it selects none.</summary>
    public static (IReadOnlyList<IScenario> Scenarios, string? Error) Select(string name, IReadOnlyList<IScenario>? implemented = null)
    {
        implemented ??= Implemented;
        if (name == "all")
        {
            return (implemented, null);
        }

        if (implemented.FirstOrDefault(s => s.Name == name) is { } scenario)
        {
            return ([scenario], null);
        }

        return Planned.Contains(name, StringComparer.Ordinal)
            ? ([], $"The '{name}' scenario is not implemented yet: no figures exist for it. Implemented: {string.Join(", ", implemented.Select(s => s.Name))}.")
            : ([], $"'{name}' is not a scenario. Use one of {string.Join(", ", implemented.Select(s => s.Name).Concat(Planned).Distinct())}, or all.");
    }
}
