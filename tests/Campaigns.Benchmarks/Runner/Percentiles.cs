namespace Campaigns.Benchmarks.Runner;

/// <summary>Percentiles of latencies measured in one run (nearest rank: the value below which that share of the samples lie).</summary>
internal static class Percentiles
{
    public static double Of(IReadOnlyCollection<double> values, double percent)
    {
        if (values.Count == 0)
        {
            throw new InvalidOperationException("No values to take a percentile of.");
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
