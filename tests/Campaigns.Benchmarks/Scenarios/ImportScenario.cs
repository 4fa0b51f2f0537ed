using System.Diagnostics;
using Campaigns.Benchmarks.Runner;
using Campaigns.Tenants;
using nietras.SeparatedValues;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// Issue 3's import: a generated CSV of <c>size</c> realistic rows through the real importer
/// (<see cref="CampaignsClient.ImportContactsAsync"/> on the embedded engine, into a fresh SQLite
/// file each run), against Sep alone parsing the same file in the same run.
/// </summary>
internal sealed class ImportScenario : IScenario
{
    public string Name => "import";

    public string Description => "CSV contacts through CampaignsClient.ImportContactsAsync into SQLite, against Sep parsing the same file";

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var csv = Path.Combine(context.DataDirectory, "contacts.csv");
        var bytes = await ContactsCsv.WriteAsync(csv, context.Size, cancellationToken);
        context.Say($"import: wrote {context.Size:N0} rows ({bytes / 1024d / 1024:0.0} MB) to {csv}");

        var samples = new Measurements();
        var peaks = new List<double>();
        var audiencePeaks = new List<double>();
        string? memoryMethod = null;
        for (var run = 1; run <= context.Runs; run++)
        {
            var (rawRate, spanRate) = RawParse(csv, context.Size, cancellationToken);
            var phonesRate = ParsePhonesOnly(csv, context.Size, cancellationToken);
            var folder = Path.Combine(context.DataDirectory, $"run-{run}");
            Directory.CreateDirectory(folder);
            double rate;
            await using (var engine = await EngineHost.StartAsync(folder))
            {
                var tenant = TenantId.Parse("bench-import");
                await engine.Client.PutTenantAsync(tenant, new TenantSettings("Import benchmark", "America/New_York", "US"));
                using var memory = MemoryWatch.Start();
                var cpu = Environment.CpuUsage.TotalTime;
                var started = Stopwatch.GetTimestamp();
                Contacts.ImportResult result;
                await using (var file = new FileStream(csv, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
                {
                    result = await engine.Client.ImportContactsAsync(tenant, file, "benchmark", cancellationToken);
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
                var (peakRss, peakManaged) = await memory.StopAsync();
                memoryMethod = memory.Method;
                if (result.Created != context.Size || result.Errors.Count > 0)
                {
                    throw new InvalidOperationException(
                        $"The import created {result.Created:N0} of {context.Size:N0} contacts with {result.Errors.Count:N0} errors, first: "
                        + string.Join("; ", result.Errors.Take(5).Select(e => $"line {e.Line} {e.Column}: {e.Message}")));
                }

                rate = context.Size / elapsed.TotalSeconds;
                samples.Add("rowsPerSecond", rate);
                samples.Add("cpuMsPer1000Rows", cpuMs / context.Size * 1000);
                samples.Add("rawParseRowsPerSecond", rawRate);
                samples.Add("rawParseSpansRowsPerSecond", spanRate);
                samples.Add("parseAndPhonesRowsPerSecond", phonesRate);
                samples.Add("parseAndPhonesToRawParse", phonesRate / rawRate);
                samples.Add("peakManagedHeapMb", peakManaged);
                samples.Add("ratio.rawParse", rate / rawRate);
                peaks.Add(peakRss);
                context.Say($"import run {run}: {rate:N0} rows/s ({elapsed.TotalSeconds:0.0} s, CPU {cpuMs / 1000:0.0} s), Sep {rawRate:N0} rows/s (spans only {spanRate:N0}; with the phones validated, on every core, {phonesRate:N0}), peak {peakRss:0} MB");
                var audience = await AudienceScenario.RunAsync(engine.Client, tenant, context.Size, cancellationToken);
                audience.AddTo(samples);
                audiencePeaks.Add(audience.PeakRssMb);
                context.Say($"import run {run}: audience of {audience.Members:N0} members: count {audience.CountMs:N0} ms, first member after {audience.FirstMemberMs:0.0} ms, {audience.MembersPerSecond:N0} members/s streamed, last page {audience.LastPageMs:N0} ms, peak {audience.PeakRssMb:0} MB");
            }

            TryDelete(folder);
            var rawFolder = Path.Combine(context.DataDirectory, $"raw-{run}");
            Directory.CreateDirectory(rawFolder);
            var rawInsert = await ContactsInsertBaseline.RunAsync(Path.Combine(rawFolder, "campaigns.db"), "bench-import", context.Size, cancellationToken);
            samples.Add("rawInsertRowsPerSecond", rawInsert);
            samples.Add("ratio.rawInsert", rate / rawInsert);
            context.Say($"import run {run}: raw insert of the same contacts and members {rawInsert:N0} rows/s");
            TryDelete(rawFolder);
        }

        var medians = samples.Medians();
        var ratio = medians["ratio.rawParse"];
        var insertRatio = medians["ratio.rawInsert"];
        medians.Remove("ratio.rawParse");
        medians.Remove("ratio.rawInsert");
        medians["fileMb"] = bytes / 1024d / 1024;
        var spread = samples.Spreads();
        spread["peakMemoryMb"] = Measurements.SpreadOf(peaks);
        var peak = peaks.Max();
        medians["audiencePeakMemoryMb"] = audiencePeaks.Max();
        return new ScenarioResult(
            Name,
            context.Size,
            context.Machine,
            medians,
            new Dictionary<string, double> { ["rawParse"] = ratio, ["rawInsert"] = insertRatio },
            peak,
            context.Runs,
            spread,
            [
                new TargetCheck("ratios.rawParse", "at least 0.25 of Sep's parse", ratio, ratio >= 0.25),
                new TargetCheck("peakMemoryMb", "under 400 MB", peak, peak < 400),
                new TargetCheck("audiencePeakMemoryMb", "audience evaluation streams: under 400 MB", medians["audiencePeakMemoryMb"], medians["audiencePeakMemoryMb"] < 400),
            ],
            [
                "rowsPerSecond: rows / wall time of CampaignsClient.ImportContactsAsync on the file (parse, validate phones with libphonenumber, emails and time zones, match existing contacts a batch of 1,000 rows at a time, write contacts and import members in one SQLite transaction); a fresh database each run.",
                "rawParseRowsPerSecond: Sep 0.17.1 alone reading the same file with the importer's settings (unescaped), turning every cell into a string; rawParseSpansRowsPerSecond reads every cell's span without making strings. ratios.rawParse = rowsPerSecond / rawParseRowsPerSecond, per run, then the median.",
                "parseAndPhonesRowsPerSecond: the ceiling of any importer that checks phones as issue 3 asks, with no store at all: Sep parsing the same file on every core (ParallelEnumerate), each row's phone cell made a string and normalised by the importer's own libphonenumber call (parse, number type, E.164), every other cell made a string; parseAndPhonesToRawParse is its rate over rawParseRowsPerSecond, per run, then the median: ratios.rawParse cannot exceed it.",
                "cpuMsPer1000Rows: CPU time of the whole process (every thread) during the import, per 1,000 rows: less disturbed than wall time by other work on the machine.",
                "rawInsertRowsPerSecond: the store's limit for the same import: the contacts (time-ordered ids, made as the importer makes them) and import members the importer writes for this file, inserted into a fresh database (same schema and connection settings) in one transaction with the importer's own prepared single-row inserts and binding, the rows made outside the timing; no lookups. ratios.rawInsert = rowsPerSecond / rawInsertRowsPerSecond.",
                $"peakMemoryMb: the highest, over the runs, {memoryMethod} during the import; peakManagedHeapMb: the managed heap (GC.GetTotalMemory) sampled every 20 ms.",
                AudienceScenario.Note,
            ]);
    }

    /// <summary>Sep alone over the file: rows per second with every cell made a string, and with every cell only read as a span.</summary>
    private static (double Strings, double Spans) RawParse(string csv, int expectedRows, CancellationToken cancellationToken)
    {
        long characters = 0;
        var started = Stopwatch.GetTimestamp();
        var rows = 0;
        using (var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true }).FromFile(csv))
        {
            foreach (var row in reader)
            {
                for (var i = 0; i < row.ColCount; i++)
                {
                    characters += row[i].ToString().Length;
                }

                rows++;
            }
        }

        var strings = Stopwatch.GetElapsedTime(started);
        cancellationToken.ThrowIfCancellationRequested();
        started = Stopwatch.GetTimestamp();
        var spanRows = 0;
        using (var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true }).FromFile(csv))
        {
            foreach (var row in reader)
            {
                for (var i = 0; i < row.ColCount; i++)
                {
                    characters += row[i].Span.Length;
                }

                spanRows++;
            }
        }

        var spans = Stopwatch.GetElapsedTime(started);
        if (rows != expectedRows || spanRows != expectedRows || characters == 0)
        {
            throw new InvalidOperationException($"Sep read {rows:N0} and {spanRows:N0} rows; {expectedRows:N0} were written.");
        }

        return (rows / strings.TotalSeconds, spanRows / spans.TotalSeconds);
    }

    /// <summary>
    /// Sep over the file on every core with each row's phone normalised as the importer does it, and
    /// nothing stored: rows per second. What validating phones alone leaves of Sep's rate.
    /// </summary>
    private static double ParsePhonesOnly(string csv, int expectedRows, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        int rows = 0, valid = 0;
        long characters = 0;
        using (var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true }).FromFile(csv))
        {
            var phone = reader.Header.IndexOf("phone");
            foreach (var (ok, length) in reader.ParallelEnumerate(row =>
            {
                var length = 0;
                for (var i = 0; i < row.ColCount; i++)
                {
                    if (i != phone)
                    {
                        length += row[i].ToString().Length;
                    }
                }

                return (Contacts.ContactImporter.NormalisePhone(row[phone].ToString().Trim(), "US", out _) is not null, length);
            }))
            {
                rows++;
                valid += ok ? 1 : 0;
                characters += length;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        cancellationToken.ThrowIfCancellationRequested();
        if (rows != expectedRows || valid != expectedRows || characters == 0)
        {
            throw new InvalidOperationException($"Sep with the phones read {rows:N0} rows, {valid:N0} with a valid phone; {expectedRows:N0} were written.");
        }

        return rows / elapsed.TotalSeconds;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Removed with the data folder at the end.
        }
    }
}
