using System.Globalization;

namespace Campaigns.Benchmarks.Runner;

/// <summary>
/// The process's file I/O so far, from Linux's <c>/proc/self/io</c>: bytes asked of read and write
/// calls (<c>rchar</c>, <c>wchar</c>: SQLite's <c>pread</c> and <c>pwrite</c> of the database and its
/// log, whether or not they reach the disk) and the number of such calls. Zero elsewhere.
/// </summary>
internal readonly record struct IoCounters(long ReadBytes, long WrittenBytes, long ReadCalls, long WriteCalls)
{
    public static IoCounters Now()
    {
        try
        {
            long rchar = 0, wchar = 0, syscr = 0, syscw = 0;
            foreach (var line in File.ReadLines("/proc/self/io"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }

                var value = long.Parse(line.AsSpan(colon + 1).Trim(), CultureInfo.InvariantCulture);
                switch (line[..colon])
                {
                    case "rchar": rchar = value; break;
                    case "wchar": wchar = value; break;
                    case "syscr": syscr = value; break;
                    case "syscw": syscw = value; break;
                }
            }

            return new IoCounters(rchar, wchar, syscr, syscw);
        }
        catch (IOException)
        {
            return default;
        }
        catch (UnauthorizedAccessException)
        {
            return default;
        }
    }

    public static IoCounters operator -(IoCounters a, IoCounters b) =>
        new(a.ReadBytes - b.ReadBytes, a.WrittenBytes - b.WrittenBytes, a.ReadCalls - b.ReadCalls, a.WriteCalls - b.WriteCalls);
}
