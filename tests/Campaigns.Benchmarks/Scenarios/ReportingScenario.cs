using System.Diagnostics;
using Campaigns.Benchmarks.Runner;
using Campaigns.Campaigns;
using Campaigns.Storage;
using Campaigns.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// Issue 6's campaign list: <c>size</c> rows in one tenant, served by the tenant index grain through
/// <see cref="CampaignsClient.ListCampaignsAsync(TenantId, CampaignListQuery)"/> on the embedded
/// engine, against the same queries as SQL on PostgreSQL over the same rows, in the same run. Every
/// query is checked to give the same page and counts on both before anything is timed.
/// </summary>
internal sealed class ReportingScenario : IScenario
{
    private const int Rounds = 200;
    private static readonly TenantId Tenant = TenantId.Parse("bench-reporting");

    public string Name => "reporting";

    public string Description => "campaign list queries (search, category, sort, date filter, page) over one tenant's rows: the index grain against PostgreSQL";

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var connectionString = Environment.GetEnvironmentVariable("CAMPAIGNS_TEST_POSTGRES");
        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException("The reporting scenario compares against PostgreSQL: run `source <(bash .ci/services)` first so CAMPAIGNS_TEST_POSTGRES is set.");
        }

        var rows = ReportingRows.Make(context.Size);
        var others = ReportingRows.Make(Math.Max(1, context.Size / 5), seed: 11);
        context.Say($"reporting: {rows.Count:N0} rows in one tenant (+{others.Count:N0} in another), {ReportingQueries.All.Count} queries x {Rounds} rounds per run");

        var samples = new Measurements();
        var peaks = new List<double>();
        var perQuery = new Dictionary<string, (List<double> Ours, List<double> Postgres)>(StringComparer.Ordinal);
        string? memoryMethod = null;
        var trigram = false;
        for (var run = 1; run <= context.Runs; run++)
        {
            var folder = Path.Combine(context.DataDirectory, $"run-{run}");
            Directory.CreateDirectory(folder);
            await using (var engine = await EngineHost.StartAsync(folder, s => s.AddSingleton<Channels.IChannelProvider>(new CountingChannelProvider())))
            await using (var postgres = await PostgresCampaignList.LoadAsync(connectionString, Tenant.Value, rows, others, cancellationToken))
            {
                trigram = postgres.Trigram;
                await engine.Client.PutTenantAsync(Tenant, new TenantSettings("Reporting benchmark", "America/New_York"));
                await engine.Client.PutTenantAsync(TenantId.Parse("bench-other"), new TenantSettings("Other", "America/New_York"));
                var store = engine.Services.GetRequiredService<ICampaignStore>();
                await store.SaveCampaignRowsAsync(Tenant, rows, [], cancellationToken);
                await store.SaveCampaignRowsAsync(TenantId.Parse("bench-other"), others, [], cancellationToken);

                // The first query activates the index: it loads every row of the tenant from the store.
                using var memory = MemoryWatch.Start();
                var started = Stopwatch.GetTimestamp();
                await engine.Client.ListCampaignsAsync(Tenant, new CampaignListQuery());
                samples.Add("activationMs", Stopwatch.GetElapsedTime(started).TotalMilliseconds);

                foreach (var (name, query) in ReportingQueries.All)
                {
                    Same(name, await engine.Client.ListCampaignsAsync(Tenant, query), await postgres.QueryAsync(Tenant.Value, query, cancellationToken));
                }

                var ours = new List<double>();
                var theirs = new List<double>();
                var order = new Random(run);
                for (var round = 0; round < Rounds; round++)
                {
                    // Alternate who goes first, and shuffle the queries, so neither side gets the other's warm caches by position.
                    foreach (var (name, query) in ReportingQueries.All.OrderBy(_ => order.Next()))
                    {
                        var times = perQuery.TryGetValue(name, out var t) ? t : perQuery[name] = ([], []);
                        if (round % 2 == 0)
                        {
                            await TimeAsync(ours, times.Ours, () => engine.Client.ListCampaignsAsync(Tenant, query));
                            await TimeAsync(theirs, times.Postgres, () => postgres.QueryAsync(Tenant.Value, query, cancellationToken));
                        }
                        else
                        {
                            await TimeAsync(theirs, times.Postgres, () => postgres.QueryAsync(Tenant.Value, query, cancellationToken));
                            await TimeAsync(ours, times.Ours, () => engine.Client.ListCampaignsAsync(Tenant, query));
                        }
                    }
                }

                var (peakRss, peakManaged) = await memory.StopAsync();
                memoryMethod = memory.Method;
                peaks.Add(peakRss);
                samples.Add("peakManagedHeapMb", peakManaged);
                samples.Add("p50Ms", Percentile(ours, 50));
                samples.Add("p99Ms", Percentile(ours, 99));
                samples.Add("maxMs", ours.Max());
                samples.Add("postgresP50Ms", Percentile(theirs, 50));
                samples.Add("postgresP99Ms", Percentile(theirs, 99));
                samples.Add("ratio.postgresP99", Percentile(ours, 99) / Percentile(theirs, 99));
                samples.Add("ratio.postgresP50", Percentile(ours, 50) / Percentile(theirs, 50));
                // The export and insights of one send with ten facts per list row (a million at the default size).
                var facts = context.Size * 10;
                var export = await ReportingExport.MeasureAsync(engine.Client, engine.DatabasePath, TenantId.Parse("bench-export"), facts, cancellationToken);
                samples.Add("export.rowsPerSecond", facts / export.ExportSeconds);
                samples.Add("export.seconds", export.ExportSeconds);
                samples.Add("export.mb", export.Bytes / 1024d / 1024);
                samples.Add("export.peakRssMb", export.PeakRssMb);
                samples.Add("export.rssGrowthMb", export.PeakRssMb - export.RssBeforeMb);
                samples.Add("export.peakManagedHeapMb", export.PeakManagedMb);
                samples.Add("insights.ms", export.InsightsMs);
                context.Say($"reporting run {run}: export of {facts:N0} rows {export.ExportSeconds:0.0} s ({export.Bytes / 1024d / 1024:0} MB), peak RSS {export.PeakRssMb:0} MB (+{export.PeakRssMb - export.RssBeforeMb:0} MB); insights {export.InsightsMs:0} ms");
                context.Say($"reporting run {run}: ours p50 {PostgresCampaignList.Ms(Percentile(ours, 50))} ms, p99 {PostgresCampaignList.Ms(Percentile(ours, 99))} ms; "
                    + $"PostgreSQL p50 {PostgresCampaignList.Ms(Percentile(theirs, 50))} ms, p99 {PostgresCampaignList.Ms(Percentile(theirs, 99))} ms; peak {peakRss:0} MB");
            }

            TryDelete(folder);
        }

        var medians = samples.Medians();
        var ratios = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["postgresP99"] = medians["ratio.postgresP99"],
            ["postgresP50"] = medians["ratio.postgresP50"],
        };
        medians.Remove("ratio.postgresP99");
        medians.Remove("ratio.postgresP50");
        foreach (var (name, (ours, theirs)) in perQuery)
        {
            medians[$"query.{name}.p99Ms"] = Percentile(ours, 99);
            medians[$"query.{name}.postgresP99Ms"] = Percentile(theirs, 99);
        }

        var spread = samples.Spreads();
        spread["peakMemoryMb"] = Measurements.SpreadOf(peaks);
        var p99 = medians["p99Ms"];
        return new ScenarioResult(
            Name,
            context.Size,
            context.Machine,
            medians,
            ratios,
            peaks.Max(),
            context.Runs,
            spread,
            [
                new TargetCheck("p99Ms", "under 5 ms", p99, p99 < 5),
                new TargetCheck("ratios.postgresP99", "under 1 (faster than PostgreSQL)", ratios["postgresP99"], ratios["postgresP99"] < 1),
                new TargetCheck("export.rssGrowthMb", "under 100 MB (streamed, not held)", medians["export.rssGrowthMb"], medians["export.rssGrowthMb"] < 100),
            ],
            [
                $"p50Ms/p99Ms: latency of CampaignsClient.ListCampaignsAsync (a call to the tenant's index grain on the embedded silo, the page copied back) over {ReportingQueries.All.Count} query shapes x {Rounds} rounds per run, pooled; query.NAME.p99Ms per shape.",
                $"postgres*: the same queries as SQL on PostgreSQL over the same rows (plus a second tenant's), one round trip each (a batch: the six section counts, then the sorted page with LIMIT/OFFSET), indexes on Last Sent, name, status and sent{(trigram ? ", pg_trgm GIN indexes on name and description" : " (pg_trgm unavailable: the search scans)")}; VACUUM ANALYZE after loading.",
                "Before timing, every query's page, total and counts are checked equal on both sides. Ratios are ours / PostgreSQL per run, then the median; under 1 means faster.",
                $"export.*: CampaignExport.WriteCsvAsync of one send with size x 10 facts (and as many contacts) into a byte-counting stream: rows per second, MB written, the peak resident set during the export and how much it grew over the set before it (the export holds one page of 1,000 rows); insights.ms: GetInsightsAsync over the same facts.",
                $"activationMs: the first query, which activates the index grain and loads the tenant's rows from SQLite. peakMemoryMb: the highest, over the runs, {memoryMethod} from activation to the last query.",
            ]);
    }

    private static async Task TimeAsync(List<double> all, List<double> one, Func<Task<CampaignListPage>> query)
    {
        var started = Stopwatch.GetTimestamp();
        var page = await query();
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (page.Items.Count > 500)
        {
            throw new InvalidOperationException("A page cannot hold more than 500 rows.");
        }

        all.Add(ms);
        one.Add(ms);
    }

    private static void Same(string name, CampaignListPage ours, CampaignListPage theirs)
    {
        if (ours.Total != theirs.Total || ours.Counts != theirs.Counts || ours.ShowInProgress != theirs.ShowInProgress || ours.ShowIntroductory != theirs.ShowIntroductory
            || !ours.Items.Select(r => r.CampaignId).SequenceEqual(theirs.Items.Select(r => r.CampaignId), StringComparer.Ordinal))
        {
            throw new InvalidOperationException(
                $"Query '{name}' differs: ours total {ours.Total} {ours.Counts} [{string.Join(",", ours.Items.Take(5).Select(r => r.CampaignId))}], "
                + $"PostgreSQL total {theirs.Total} {theirs.Counts} [{string.Join(",", theirs.Items.Take(5).Select(r => r.CampaignId))}].");
        }
    }

    private static double Percentile(List<double> values, double percent)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
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
