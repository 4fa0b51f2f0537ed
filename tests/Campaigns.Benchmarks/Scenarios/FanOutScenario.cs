using System.Diagnostics;
using Campaigns.Benchmarks.Runner;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Hosting;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// Issue 7's fan-out: one campaign to every contact of a <c>size</c>-row import, sent now through
/// the real engine (embedded silo, campaign grain, SQLite store) to a provider that only counts,
/// until the campaign reports Sent. In the same run: the raw insert of the same fact rows (the
/// store's limit) and the same send as one Hangfire job per message.
/// </summary>
internal sealed class FanOutScenario : IScenario
{
    public const string MessageText = "Hi {{firstName}}, registration for spring classes opens Monday. Reply STOP to opt out.";

    /// <summary>The most messages the Hangfire baseline on PostgreSQL sends per run.</summary>
    public const int PostgresHangfireSize = 3_000;

    private static readonly TenantId Tenant = TenantId.Parse("bench-fanout");

    public string Name => "fanout";

    public string Description => "one campaign to every contact through the engine, against the raw insert of its facts and one Hangfire job per message";

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var postgres = Environment.GetEnvironmentVariable("CAMPAIGNS_TEST_POSTGRES");
        if (string.IsNullOrEmpty(postgres))
        {
            throw new InvalidOperationException("The fan-out scenario's durable Hangfire baseline stores its jobs in PostgreSQL: run `source <(bash .ci/services)` first so CAMPAIGNS_TEST_POSTGRES is set.");
        }

        var csv = Path.Combine(context.DataDirectory, "contacts.csv");
        await ContactsCsv.WriteAsync(csv, context.Size, cancellationToken);
        var channel = new CountingChannelProvider();
        await using var engine = await EngineHost.StartAsync(context.DataDirectory, s => s.AddSingleton<IChannelProvider>(channel));
        var client = engine.Client;
        // Sending hours open all day: the benchmark measures sending, not the wait for a window to open.
        await client.PutTenantAsync(Tenant, new TenantSettings("Fan-out benchmark", "America/New_York", "US", SendingHours: new SendingHours("00:00", "24:00")));
        await client.SetChannelAsync(Tenant, ChannelKind.Sms, CountingChannelProvider.Name, new Dictionary<string, string>());
        var setup = Stopwatch.GetTimestamp();
        Contacts.ImportResult import;
        await using (var file = File.OpenRead(csv))
        {
            import = await client.ImportContactsAsync(Tenant, file, "fan-out", cancellationToken);
        }

        if (import.Created != context.Size)
        {
            throw new InvalidOperationException($"The setup import created {import.Created:N0} of {context.Size:N0} contacts ({import.Errors.Count:N0} errors).");
        }

        context.Say($"fanout: imported {context.Size:N0} contacts in {Stopwatch.GetElapsedTime(setup).TotalSeconds:0.0} s (setup, not measured)");
        var script = await client.CreateScriptAsync(Tenant, new ScriptDraft("Registration nudge", "Benchmark", [new StepDraft("hello", "message", MessageText)]));
        var hangfireSize = Math.Min(context.HangfireSize, context.Size);

        // Hangfire on PostgreSQL runs about a hundred jobs a second here (every enqueue and state change
        // is a commit, and its distributed locks are rows): a smaller queue gives its rate in seconds.
        var postgresSize = Math.Min(hangfireSize, PostgresHangfireSize);

        var samples = new Measurements();
        var peaks = new List<double>();
        string? memoryMethod = null;
        for (var run = 1; run <= context.Runs; run++)
        {
            // The engine.
            channel.Reset();
            double rate;
            using (var memory = MemoryWatch.Start())
            {
                var io = IoCounters.Now();
                var cpu = Environment.CpuUsage.TotalTime;
                var started = Stopwatch.GetTimestamp();
                var campaignId = await client.CreateCampaignAsync(Tenant, new CampaignRequest(
                    $"Fan-out run {run}", "Benchmark", script.ScriptId, ChannelKind.Sms, new Recipients(import.ImportId), CampaignSchedule.Now));
                await WaitUntilSentAsync(client, campaignId, cancellationToken);
                var elapsed = Stopwatch.GetElapsedTime(started);
                var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
                var engineIo = IoCounters.Now() - io;
                var (peakRss, peakManaged) = await memory.StopAsync();
                memoryMethod = memory.Method;
                var counts = await engine.Services.GetRequiredService<ICampaignStore>().CountFactsAsync(Tenant, campaignId, cancellationToken);
                if (channel.Count != context.Size || counts.Sent != context.Size)
                {
                    throw new InvalidOperationException($"The campaign sent {channel.Count:N0} messages and recorded {counts.Sent:N0} sent facts for {context.Size:N0} contacts.");
                }

                rate = context.Size / elapsed.TotalSeconds;
                var first = Stopwatch.GetElapsedTime(started, channel.FirstAt).TotalMilliseconds;
                samples.Add("messagesPerSecond", rate);
                samples.Add("firstMessageMs", first);
                samples.Add("cpuMsPer1000Messages", cpuMs / context.Size * 1000);
                samples.Add("peakManagedHeapMb", peakManaged);
                AddIo(samples, string.Empty, "Messages", engineIo, context.Size);
                peaks.Add(peakRss);
                context.Say($"fanout run {run}: engine {rate:N0} msg/s ({elapsed.TotalSeconds:0.0} s, CPU {cpuMs / 1000:0.0} s), first message after {first:0} ms, peak {peakRss:0} MB");
            }

            // The baselines, on the same recipients and the same file, read outside their timing.
            var recipients = await FactRows.ReadRecipientsAsync(engine.DatabasePath, Tenant.Value, import.ImportId, context.Size, cancellationToken);
            var rawIo = IoCounters.Now();
            var (raw, rawCpu) = await RawInsertBaseline.RunAsync(engine.DatabasePath, Tenant.Value, $"raw-{run}", recipients, cancellationToken);
            AddIo(samples, "rawInsert", "Rows", IoCounters.Now() - rawIo, recipients.Count);
            samples.Add("rawInsertRowsPerSecond", raw);
            samples.Add("rawInsertCpuMsPer1000Rows", rawCpu);
            samples.Add("ratio.rawInsert", rate / raw);

            // The same insert committing every page (FanOutPageSize rows), as a sender must: not the target's baseline.
            var (perPage, perPageCpu) = await RawInsertBaseline.RunAsync(
                engine.DatabasePath, Tenant.Value, $"raw-page-{run}", recipients, cancellationToken, CampaignsDefaults.FanOutPageSize);
            samples.Add("rawInsertPerPageRowsPerSecond", perPage);
            samples.Add("rawInsertPerPageCpuMsPer1000Rows", perPageCpu);
            samples.Add("ratio.rawInsertPerPage", rate / perPage);
            var hangfireRecipients = recipients.Take(hangfireSize).ToList();
            var (hangfire, hangfireFirst) = await HangfireBaseline.RunPostgreSqlAsync(
                postgres, engine.DatabasePath, Tenant.Value, $"hangfire-{run}", hangfireRecipients.Take(postgresSize).ToList(), channel, cancellationToken);
            var pgEnqueue = HangfireBaseline.Enqueued;
            samples.Add("hangfireMessagesPerSecond", hangfire);
            samples.Add("hangfireFirstMessageMs", hangfireFirst);
            samples.Add("ratio.hangfire", rate / hangfire);
            var (inMemory, inMemoryFirst) = await HangfireBaseline.RunInMemoryAsync(
                engine.DatabasePath, Tenant.Value, $"hangfire-memory-{run}", hangfireRecipients, channel, cancellationToken);
            samples.Add("hangfireInMemoryMessagesPerSecond", inMemory);
            samples.Add("hangfireInMemoryFirstMessageMs", inMemoryFirst);
            samples.Add("ratio.hangfireInMemory", rate / inMemory);
            context.Say($"fanout run {run}: raw insert {raw:N0} rows/s; Hangfire on PostgreSQL storage {hangfire:N0} msg/s at {postgresSize:N0} (first after {hangfireFirst:0} ms, enqueued in {pgEnqueue.TotalSeconds:0.0} s), in memory {inMemory:N0} msg/s at {hangfireSize:N0} (first after {inMemoryFirst:0} ms)");
        }

        var medians = samples.Medians();
        var ratios = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["rawInsert"] = medians["ratio.rawInsert"],
            ["rawInsertPerPage"] = medians["ratio.rawInsertPerPage"],
            ["hangfire"] = medians["ratio.hangfire"],
            ["hangfireInMemory"] = medians["ratio.hangfireInMemory"],
        };
        medians.Remove("ratio.rawInsert");
        medians.Remove("ratio.rawInsertPerPage");
        medians.Remove("ratio.hangfire");
        medians.Remove("ratio.hangfireInMemory");
        medians["hangfireSize"] = postgresSize;
        medians["hangfireInMemorySize"] = hangfireSize;
        var spread = samples.Spreads();
        spread["peakMemoryMb"] = Measurements.SpreadOf(peaks);
        var peak = peaks.Max();
        return new ScenarioResult(
            Name,
            context.Size,
            context.Machine,
            medians,
            ratios,
            peak,
            context.Runs,
            spread,
            [
                new TargetCheck("ratios.rawInsert", "at least 0.6 of the raw insert", ratios["rawInsert"], ratios["rawInsert"] >= 0.6),
                new TargetCheck("ratios.hangfire", "at least 20x Hangfire (PostgreSQL storage, durable)", ratios["hangfire"], ratios["hangfire"] >= 20),
                new TargetCheck("peakMemoryMb", "under 500 MB", peak, peak < 500),
                new TargetCheck("firstMessageMs", "under 1,000 ms", medians["firstMessageMs"], medians["firstMessageMs"] < 1000),
            ],
            [
                "messagesPerSecond: contacts / wall time from CampaignsClient.CreateCampaignAsync (send now) until the tenant's campaign list shows the campaign Sent, through AddCampaignsEmbedded (Orleans silo, CampaignGrain, SqliteCampaignStore) with every fact written; each run a new campaign over the same import, checked afterwards: the provider got exactly one message per contact and the store holds one sent fact each.",
                "cpuMsPer1000Messages: CPU time of the whole process (every thread) during the engine's send, per 1,000 messages: less disturbed than wall time by other work on the machine.",
                "firstMessageMs: from the CreateCampaignAsync call to the provider's first message.",
                "readKbPer1000Messages, writtenKbPer1000Messages (and the calls): the process's file reads and writes during the engine's send (/proc/self/io rchar, wchar, syscr, syscw: SQLite's pread and pwrite of the database and its log, served from the page cache or not), per 1,000 messages; rawInsert* the same during the raw insert, per 1,000 rows.",
                "rawInsertRowsPerSecond: the same final fact rows (same columns, a fresh message id each) inserted into the same file in one transaction with one prepared single-row insert.",
                "rawInsertPerPageRowsPerSecond: the same insert committing every 1,000 rows (the engine's page), the durability a sender needs (a page's facts committed before the next page leaves, so a crash resends at most a page); ratios.rawInsertPerPage. Reported beside the target, not instead of it: ratios.rawInsert and its target use the single transaction.",
                $"hangfireMessagesPerSecond: Hangfire 1.8.25 + {HangfireBaseline.PostgreSqlVersion} (PostgreSQL on the same machine, its default storage options, a schema of its own), default server options ({HangfireBaseline.DefaultWorkers} workers), one job per message that renders the text, calls the same counting provider and inserts its fact row into the same SQLite file; timed from the first enqueue until every fact is written, at {postgresSize:N0} messages (rates compare across sizes: a job queue's rate does not grow with its length; the client's enqueue loop, one PostgreSQL commit per job, takes most of that time). The durable baseline: like the engine's facts, a queued job survives a crash. ratios.hangfire and its target use it.",
                $"hangfireInMemoryMessagesPerSecond: the same jobs on {HangfireBaseline.InMemoryVersion} (jobs lost on a crash, so not what a production build would run), same server options, at {hangfireSize:N0} messages; ratios.hangfireInMemory.",
                $"peakMemoryMb: the highest, over the runs, {memoryMethod} during the engine's send (the baselines are not included); peakManagedHeapMb: the managed heap (GC.GetTotalMemory) sampled every 20 ms.",
            ]);
    }

    /// <summary>File I/O per 1,000 messages or rows: KB asked of read and write calls (SQLite's pread and pwrite), and the calls.</summary>
    private static void AddIo(Measurements samples, string prefix, string unit, IoCounters io, int count)
    {
        string Name(string figure) => (prefix.Length == 0 ? figure : prefix + char.ToUpperInvariant(figure[0]) + figure[1..]) + unit;
        samples.Add(Name("readKbPer1000"), io.ReadBytes / 1024.0 / count * 1000);
        samples.Add(Name("writtenKbPer1000"), io.WrittenBytes / 1024.0 / count * 1000);
        samples.Add(Name("readCallsPer1000"), io.ReadCalls * 1000.0 / count);
        samples.Add(Name("writeCallsPer1000"), io.WriteCalls * 1000.0 / count);
    }

    private static async Task WaitUntilSentAsync(CampaignsClient client, string campaignId, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 3600);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var page = await client.ListCampaignsAsync(Tenant, new CampaignListQuery(PageSize: 100));
            if (page.Items.FirstOrDefault(r => r.CampaignId == campaignId) is { Status: CampaignStatus.Sent })
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Campaign {campaignId} did not finish within an hour.");
            }
        }
    }
}
