namespace Campaigns.Benchmarks.Runner;

/// <summary>
/// The figures of one scenario: medians over <see cref="Runs"/> runs in <see cref="Metrics"/> and
/// <see cref="Ratios"/> (ours divided by each baseline), the spread of each in <see cref="Spread"/>.
/// </summary>
internal sealed record ScenarioResult(
    string Scenario,
    int Size,
    MachineInfo Machine,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double> Ratios,
    double PeakMemoryMb,
    int Runs,
    IReadOnlyDictionary<string, Spread> Spread,
    IReadOnlyList<TargetCheck> Targets,
    IReadOnlyList<string> Notes);

/// <summary>The smallest and largest value of a figure over the runs, and their distance relative to the median.</summary>
internal sealed record Spread(double Min, double Max, double RelativePercent);

/// <summary>A target from the performance plan and whether this run met it.</summary>
internal sealed record TargetCheck(string Name, string Target, double Actual, bool Met);

/// <summary>Values of named figures collected run by run.</summary>
internal sealed class Measurements
{
    private readonly Dictionary<string, List<double>> _values = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public void Add(string name, double value)
    {
        if (!_values.TryGetValue(name, out var list))
        {
            _values[name] = list = [];
            _order.Add(name);
        }

        list.Add(value);
    }

    public IReadOnlyList<double> this[string name] => _values[name];

    public double Median(string name) => MedianOf(_values[name]);

    public static double MedianOf(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new InvalidOperationException("No values to take the median of.");
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static Spread SpreadOf(IReadOnlyList<double> values)
    {
        var median = MedianOf(values);
        var (min, max) = (values.Min(), values.Max());
        return new Spread(min, max, median == 0 ? 0 : (max - min) / Math.Abs(median) * 100);
    }

    /// <summary>The median of every figure, in the order first added.</summary>
    public Dictionary<string, double> Medians() => _order.ToDictionary(n => n, Median, StringComparer.Ordinal);

    /// <summary>The spread of every figure, in the order first added.</summary>
    public Dictionary<string, Spread> Spreads() => _order.ToDictionary(n => n, n => SpreadOf(_values[n]), StringComparer.Ordinal);
}
