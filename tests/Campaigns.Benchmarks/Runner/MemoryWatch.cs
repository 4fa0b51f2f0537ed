using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Campaigns.Benchmarks.Runner;

/// <summary>
/// Measures the peak memory of the process over a stretch of work. The figure is the process's
/// peak resident set (Linux <c>VmHWM</c>: managed heap, native SQLite caches, the runtime and code),
/// reset at the start through <c>/proc/self/clear_refs</c> so earlier work does not count. Where the
/// reset is refused it falls back to sampling the resident set every 20 ms (and says so). The peak
/// managed heap (<see cref="GC.GetTotalMemory(bool)"/>, sampled) is reported beside it.
/// </summary>
internal sealed class MemoryWatch : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly bool _highWaterReset;
    private long _peakManaged;
    private long _peakSampledRss;

    private MemoryWatch()
    {
        // Earlier work (a baseline's million rows) leaves freed memory the GC has not yet given back:
        // an aggressive, compacting collection returns it, so the reset below starts from live data.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _highWaterReset = TryResetHighWater();
        _peakManaged = GC.GetTotalMemory(false);
        _peakSampledRss = CurrentRss();
        _sampler = Task.Run(SampleAsync);
    }

    public static MemoryWatch Start() => new();

    /// <summary>How the peak resident set was measured.</summary>
    public string Method => _highWaterReset
        ? "peak resident set of the process (VmHWM, reset before the measured work)"
        : "resident set of the process sampled every 20 ms (VmHWM could not be reset)";

    public async Task<(double PeakRssMb, double PeakManagedMb)> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        var rss = _highWaterReset ? Math.Max(ReadStatusKb("VmHWM") * 1024, _peakSampledRss) : _peakSampledRss;
        return (rss / 1024d / 1024, _peakManaged / 1024d / 1024);
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                _peakManaged = Math.Max(_peakManaged, GC.GetTotalMemory(false));
                _peakSampledRss = Math.Max(_peakSampledRss, CurrentRss());
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static bool TryResetHighWater()
    {
        try
        {
            // "5" resets the peak resident set of this process to its current size (Linux 4.0+).
            File.WriteAllText("/proc/self/clear_refs", "5");
            return ReadStatusKb("VmHWM") > 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long CurrentRss()
    {
        var kb = ReadStatusKb("VmRSS");
        return kb > 0 ? kb * 1024 : Process.GetCurrentProcess().WorkingSet64;
    }

    private static long ReadStatusKb(string field)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return 0;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var digits = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(digits, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public void Dispose() => _stop.Dispose();
}
