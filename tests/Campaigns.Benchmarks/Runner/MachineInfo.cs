using System.Runtime;
using System.Runtime.InteropServices;

namespace Campaigns.Benchmarks.Runner;

/// <summary>What the figures were measured on.</summary>
internal sealed record MachineInfo(string Os, string Cpu, int Cores, double MemoryGb, string Runtime, string Gc)
{
    public static MachineInfo Current()
    {
        var cpu = RuntimeInformation.ProcessArchitecture.ToString();
        if (File.Exists("/proc/cpuinfo"))
        {
            var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (model is not null)
            {
                cpu = model[(model.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }

        var gc = (GCSettings.IsServerGC ? "server" : "workstation") + (GCSettings.LatencyMode == GCLatencyMode.Batch ? ", non-concurrent" : ", concurrent");
        return new MachineInfo(
            RuntimeInformation.OSDescription,
            cpu,
            Environment.ProcessorCount,
            Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024d / 1024 / 1024, 1),
            RuntimeInformation.FrameworkDescription,
            gc);
    }

    public override string ToString() => $"{Cores} cores ({Cpu}), {MemoryGb} GB, {Os}, {Runtime}, {Gc} GC";
}
