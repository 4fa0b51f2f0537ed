using System.Collections.Concurrent;
using System.Diagnostics;
using Campaigns.Benchmarks.Runner;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Scheduling;
using Campaigns.Scripts;
using Campaigns.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// Issue 5's scheduling: S = size active daily schedules across 100 tenants, created through
/// <see cref="CampaignsClient.CreateCampaignAsync"/> on the embedded engine with the real clock;
/// due = size / 10 of them share one send time a little after setup, the rest fall hours later.
/// Measures how late each due instance starts: from its occurrence time to the provider's first
/// message of that instance (one contact per tenant, so it measures scheduling, not fan-out).
/// </summary>
internal sealed class SchedulingScenario : IScenario
{
    public const int Tenants = 100;
    private const int Creators = 32;

    public string Name => "scheduling";

    public string Description => "many recurring schedules created through the facade, a tenth due in the same second: lateness of each instance's start on the real clock";

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var schedules = context.Size;
        var due = Math.Max(1, context.Size / 10);
        var tenants = Math.Min(Tenants, schedules);
        context.Say($"scheduling: {schedules:N0} daily schedules across {tenants} tenants, {due:N0} due at the same time");
        var samples = new Measurements();
        var peaks = new List<double>();
        var notStarted = new List<string>();
        string? memoryMethod = null;
        for (var run = 1; run <= context.Runs; run++)
        {
            var folder = Path.Combine(context.DataDirectory, $"run-{run}");
            Directory.CreateDirectory(folder);
            var channel = new FirstMessageProvider();
            await using (var engine = await EngineHost.StartAsync(folder, s => s.AddSingleton<IChannelProvider>(channel)))
            {
                var client = engine.Client;
                var csv = Path.Combine(folder, "one.csv");
                await ContactsCsv.WriteAsync(csv, 1, cancellationToken);
                var setups = new (TenantId Tenant, string ImportId, string ScriptId)[tenants];
                await Parallel.ForAsync(0, tenants, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (t, ct) =>
                    setups[t] = await SetUpTenantAsync(client, TenantId.Parse($"bench-sched-{t:D3}"), csv, ct));
                context.Say($"scheduling run {run}: {tenants} tenants with one contact each set up");

                if (WarmRounds > 0)
                {
                    // A silo that has been running fires its schedules with warm code: one schedule per tenant fires
                    // before the measured send time (outside every measurement), WarmRounds times a few seconds apart,
                    // so the firing path is loaded and compiled before the burst, not during it. One round leaves most of
                    // it in its first, unoptimised compilation: the runtime recompiles a method only after it has been
                    // called 30 times more once the round's new code has settled, and with dynamic PGO in two steps, so
                    // the default is three (what a silo that fired schedules earlier in the day has). CAMPAIGNS_BENCH_WARM_ROUNDS
                    // sets it; CAMPAIGNS_BENCH_COLD=1 leaves the warm-up out.
                    for (var round = 0; round < WarmRounds; round++)
                    {
                        var warmAt = TimeProvider.System.GetUtcNow().AddSeconds(3);
                        warmAt = new DateTimeOffset(warmAt.Ticks - (warmAt.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1);
                        await CreateAsync(client, setups, 0, tenants, _ => warmAt, cancellationToken);
                        var warmStarted = Stopwatch.GetTimestamp();
                        while (channel.Campaigns < tenants && Stopwatch.GetElapsedTime(warmStarted) < TimeSpan.FromMinutes(2))
                        {
                            await Task.Delay(100, cancellationToken);
                        }

                        if (channel.Campaigns != tenants || channel.Messages != tenants)
                        {
                            throw new InvalidOperationException($"The warm-up started {channel.Campaigns} of {tenants} instances with {channel.Messages} messages.");
                        }

                        channel.Reset();
                    }

                    samples.Add("warmupInstances", tenants * WarmRounds);
                    context.Say($"scheduling run {run}: warm-up: {tenants} schedules fired {WarmRounds} times before the measured send time");
                }
                else
                {
                    samples.Add("warmupInstances", 0);
                }

                using var memory = MemoryWatch.Start();
                var cpu = Environment.CpuUsage.TotalTime;

                // The schedules not due in this run: daily, first send spread over two to twelve hours from now.
                var now = TimeProvider.System.GetUtcNow();
                var later = schedules - due;
                var created = Stopwatch.GetTimestamp();
                await CreateAsync(client, setups, 0, later, i => now.AddHours(2).AddSeconds(i % 36_000), cancellationToken);
                var laterSeconds = Stopwatch.GetElapsedTime(created).TotalSeconds;
                var laterRate = later > 0 ? later / laterSeconds : double.NaN;

                // The due ones: one send time, far enough ahead that creating them all ends before it (twice the time they should take, 15 s at least).
                var perSecond = later > 0 ? laterRate : 200;
                var lead = TimeSpan.FromSeconds(Math.Max(15, due / perSecond * 2 + 5));
                var at = TimeProvider.System.GetUtcNow().Add(lead);
                at = new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1);
                var dueStarted = Stopwatch.GetTimestamp();
                var ids = await CreateAsync(client, setups, later, due, _ => at, cancellationToken);
                var dueSeconds = Stopwatch.GetElapsedTime(dueStarted).TotalSeconds;
                var createdBy = TimeProvider.System.GetUtcNow();
                if (createdBy >= at)
                {
                    throw new InvalidOperationException($"Creating the {due:N0} due schedules took {dueSeconds:0.0} s and ended {(createdBy - at).TotalSeconds:0.0} s after their send time: setup is too slow on this machine for this size.");
                }

                var createRate = schedules / (laterSeconds + dueSeconds);
                context.Say($"scheduling run {run}: created {schedules:N0} schedules at {createRate:N0}/s ({laterSeconds + dueSeconds:0.0} s); the {due:N0} due ones send at {at:HH:mm:ss} UTC, {(at - createdBy).TotalSeconds:0.0} s after the last was created");

                var expected = ids.Select(s => RecurrenceRules.InstanceId(s.ScheduleId, at)).ToHashSet(StringComparer.Ordinal);
                // Wait for every due instance to start (its first message): up to ten minutes after the send time,
                // or until a minute after it passes with no instance starting.
                var said = Stopwatch.GetTimestamp();
                var (seen, progressAt) = (0, TimeProvider.System.GetUtcNow());
                TimeSpan? cpuAtSend = null;
                var (allocatedAtSend, gcsAtSend) = (0L, 0);
                while (channel.Campaigns < due)
                {
                    await Task.Delay(100, cancellationToken);
                    var clock = TimeProvider.System.GetUtcNow();
                    if (cpuAtSend is null && clock >= at)
                    {
                        cpuAtSend = Environment.CpuUsage.TotalTime;
                        (allocatedAtSend, gcsAtSend) = (GC.GetTotalAllocatedBytes(), GC.CollectionCount(0));
                    }

                    if (channel.Campaigns != seen)
                    {
                        (seen, progressAt) = (channel.Campaigns, clock);
                    }

                    if (clock > at.AddMinutes(10) || (clock > at && clock - Max(progressAt, at) > TimeSpan.FromMinutes(1)))
                    {
                        break;
                    }

                    if (Stopwatch.GetElapsedTime(said) > TimeSpan.FromSeconds(10))
                    {
                        said = Stopwatch.GetTimestamp();
                        context.Say($"scheduling run {run}: {channel.Campaigns:N0} of {due:N0} instances started");
                    }
                }

                // CPU of the process while the due instances started (the firing alone, not the creates): per instance.
                var firingCpuMs = (Environment.CpuUsage.TotalTime - (cpuAtSend ?? Environment.CpuUsage.TotalTime)).TotalMilliseconds;
                var (firingAllocated, firingGcs) = cpuAtSend is null ? (0L, 0) : (GC.GetTotalAllocatedBytes() - allocatedAtSend, GC.CollectionCount(0) - gcsAtSend);

                // The firing's work does not end with the last first message: the instances finish and their schedules move
                // to their next send after it. Its CPU until the process is quiet again (under 5 ms of CPU in 100 ms, 30 s at
                // most), per instance: the whole cost of a firing, where firingCpuMsPerInstance stops at the last send.
                var quietStarted = Stopwatch.GetTimestamp();
                var lastCpu = Environment.CpuUsage.TotalTime;
                var cpuAtQuiet = lastCpu;
                while (Stopwatch.GetElapsedTime(quietStarted) < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(100, cancellationToken);
                    var cpuNow = Environment.CpuUsage.TotalTime;
                    if ((cpuNow - lastCpu).TotalMilliseconds < 5)
                    {
                        cpuAtQuiet = lastCpu;
                        break;
                    }

                    (lastCpu, cpuAtQuiet) = (cpuNow, cpuNow);
                }

                var firingTotalCpuMs = (cpuAtQuiet - (cpuAtSend ?? cpuAtQuiet)).TotalMilliseconds;

                // A moment more, so an instance started twice or one not due would show.
                await Task.Delay(1000, cancellationToken);
                var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
                var (peakRss, peakManaged) = await memory.StopAsync();
                memoryMethod = memory.Method;
                var firsts = channel.Firsts;
                var missing = ids.Where(s => !firsts.ContainsKey(RecurrenceRules.InstanceId(s.ScheduleId, at))).ToList();
                var strays = firsts.Keys.Count(id => !expected.Contains(id));
                if (strays > 0 || channel.Messages != due - missing.Count)
                {
                    throw new InvalidOperationException(
                        $"{strays:N0} instances started that were not due, and {channel.Messages:N0} messages were sent for {due - missing.Count:N0} started instances of one contact.");
                }

                samples.Add("instancesNotStarted", missing.Count);
                foreach (var (tenant, scheduleId) in missing.Take(5))
                {
                    // What the engine says about an instance that never sent: the lead needs it to find the cause.
                    var instanceId = RecurrenceRules.InstanceId(scheduleId, at);
                    var schedule = await client.GetScheduleAsync(tenant, scheduleId);
                    var instance = await client.GetCampaignAsync(tenant, instanceId);
                    var outcome = schedule?.Instances.FirstOrDefault(i => i.At == at)?.Outcome.ToString() ?? "none recorded";
                    notStarted.Add($"run {run}: {tenant.Value}/{instanceId}: schedule outcome {outcome}, next send {schedule?.NextSend:O}, instance status {instance?.Row.Status.ToString() ?? "no campaign"}");
                }

                if (firsts.Count == 0)
                {
                    throw new InvalidOperationException($"None of the {due:N0} due instances started within ten minutes.");
                }

                var lateness = firsts.Values.Select(t => (t - at).TotalMilliseconds).ToArray();
                samples.Add("createSchedulesPerSecond", createRate);
                samples.Add("createSeconds", laterSeconds + dueSeconds);
                samples.Add("latenessP50Ms", Percentiles.Of(lateness, 50));
                samples.Add("latenessP99Ms", Percentiles.Of(lateness, 99));
                samples.Add("latenessMaxMs", lateness.Max());
                samples.Add("latenessMinMs", lateness.Min());
                samples.Add("cpuMsPer1000Schedules", cpuMs / schedules * 1000);
                samples.Add("firingCpuMsPerInstance", firingCpuMs / Math.Max(1, firsts.Count));
                samples.Add("firingTotalCpuMsPerInstance", firingTotalCpuMs / Math.Max(1, firsts.Count));
                samples.Add("firingAllocatedKbPerInstance", firingAllocated / 1024.0 / Math.Max(1, firsts.Count));
                samples.Add("firingGcCount", firingGcs);
                samples.Add("serverGc", System.Runtime.GCSettings.IsServerGC ? 1 : 0);
                samples.Add("peakManagedHeapMb", peakManaged);
                peaks.Add(peakRss);
                context.Say($"scheduling run {run}: {firsts.Count:N0} of {due:N0} instances started, lateness p50 {Percentiles.Of(lateness, 50):N0} ms, p99 {Percentiles.Of(lateness, 99):N0} ms, max {lateness.Max():N0} ms; peak {peakRss:0} MB");
            }

            TryDelete(folder);
        }

        var medians = samples.Medians();
        medians["schedules"] = schedules;
        medians["due"] = due;
        medians["tenants"] = tenants;
        var spread = samples.Spreads();
        spread["peakMemoryMb"] = Measurements.SpreadOf(peaks);
        var p99 = medians["latenessP99Ms"];
        return new ScenarioResult(
            Name,
            context.Size,
            context.Machine,
            medians,
            new Dictionary<string, double>(StringComparer.Ordinal),
            peaks.Max(),
            context.Runs,
            spread,
            [
                new TargetCheck("latenessP99Ms", "under 5,000 ms", p99, p99 < 5000),
                new TargetCheck("instancesNotStarted", "0 (every due instance starts)", medians["instancesNotStarted"], samples["instancesNotStarted"].All(n => n == 0)),
            ],
            [
                .. notStarted.Select(n => "Not started: " + n),
                $"Setup: {tenants} tenants (sending hours all day, an SMS provider that records the first message of each campaign), one imported contact and a one-message script each. {schedules:N0} daily schedules (CampaignSchedule.Recurring, America/New_York) created through CampaignsClient.CreateCampaignAsync by {Creators} concurrent callers on AddCampaignsEmbedded with TimeProvider.System: {schedules - due:N0} first due two to twelve hours later, then {due:N0} all due at one second, set twice the time their creation should take ahead (15 s at least), checked to be after the last create returned.",
                "createSchedulesPerSecond: schedules created / wall time of all the creates (each writes the schedule grain's state, its durable due row and the tenant's upcoming row in the campaign list).",
                "lateness*: for each due instance, the time from its occurrence to the provider receiving its first message (the recurrence grain woken by the due-work scheduler's timer, the instance campaign grain created, its recipients claimed and the message sent), on the wall clock. The run checks that only due instances started, each once, with one message each; it waits until every due instance started, ten minutes after the send time at most, or a minute without a start. instancesNotStarted: due instances that had not sent by then (the lateness percentiles are over the others; the first few are listed).",
                WarmRounds > 0
                    ? $"Warm-up (warmupInstances): before the measured schedules, {WarmRounds} rounds of {tenants} more (one per tenant) were created due a few seconds later and fired, outside every measurement, so the burst runs warm code as in a silo that has been running (one round left most of the firing path to be recompiled, optimised, during the burst); their messages are not counted. CAMPAIGNS_BENCH_WARM_ROUNDS sets the rounds (3 by default); CAMPAIGNS_BENCH_COLD=1 leaves the warm-up out (the burst then also pays loading and compiling the firing path)."
                    : "Cold: no warm-up (CAMPAIGNS_BENCH_COLD=1): the burst is the first time the process runs the firing path, and pays loading and compiling it.",
                "No baseline: the figure is against the target (the occurrence time itself).",
                "firingCpuMsPerInstance: CPU time of the whole process from the send time until the last due instance sent, per instance started (the firing alone; read on a 100 ms poll). firingTotalCpuMsPerInstance: the same from the send time until the process is quiet again after the last send (under 5 ms of CPU in 100 ms), so it includes the work that follows each first message (the instance's end, its schedule moving to the next send): the whole CPU cost of an instance start. firingAllocatedKbPerInstance and firingGcCount: managed bytes allocated per instance started and the garbage collections (all generations count in gen 0) over the same stretch. serverGc: 1 when the run used Server GC (DOTNET_gcServer=1, what an ASP.NET Core host runs), 0 for workstation GC (a console app's default).",
                $"cpuMsPer1000Schedules: CPU time of the whole process from the first create until every due instance started, per 1,000 schedules. peakMemoryMb: the highest, over the runs, {memoryMethod} over the same stretch (every schedule grain stays activated).",
            ]);
    }

    // Whether a run fires one schedule per tenant before the measured burst (the default; CAMPAIGNS_BENCH_COLD=1 for a cold burst).
    private static bool Warm => Environment.GetEnvironmentVariable("CAMPAIGNS_BENCH_COLD") != "1";

    // How many warm-up rounds fire before the measured burst (three unless CAMPAIGNS_BENCH_WARM_ROUNDS says; none when cold).
    private static int WarmRounds => !Warm ? 0
        : int.TryParse(Environment.GetEnvironmentVariable("CAMPAIGNS_BENCH_WARM_ROUNDS"), System.Globalization.CultureInfo.InvariantCulture, out var rounds) && rounds >= 0 ? rounds : 3;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static async Task<(TenantId, string, string)> SetUpTenantAsync(CampaignsClient client, TenantId tenant, string csv, CancellationToken cancellationToken)
    {
        await client.PutTenantAsync(tenant, new TenantSettings($"Scheduling benchmark {tenant.Value}", "America/New_York", "US", SendingHours: new SendingHours("00:00", "24:00")));
        await client.SetChannelAsync(tenant, ChannelKind.Sms, FirstMessageProvider.Name, new Dictionary<string, string>());
        Contacts.ImportResult import;
        await using (var file = File.OpenRead(csv))
        {
            import = await client.ImportContactsAsync(tenant, file, "one", cancellationToken);
        }

        var script = await client.CreateScriptAsync(tenant, new ScriptDraft("Daily reminder", "Benchmark", [new StepDraft("hello", "message", "Hi {{firstName}}, today's reminder.")]));
        return (tenant, import.ImportId, script.ScriptId);
    }

    private static async Task<List<(TenantId Tenant, string ScheduleId)>> CreateAsync(
        CampaignsClient client, (TenantId Tenant, string ImportId, string ScriptId)[] setups, int first, int count, Func<int, DateTimeOffset> startAt, CancellationToken cancellationToken)
    {
        var ids = new ConcurrentBag<(TenantId, string)>();
        await Parallel.ForAsync(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = Creators, CancellationToken = cancellationToken }, async (i, _) =>
        {
            var (tenant, importId, scriptId) = setups[i % setups.Length];
            var id = await client.CreateCampaignAsync(tenant, new CampaignRequest(
                $"Daily reminder {i}", "Benchmark", scriptId, ChannelKind.Sms, new Recipients(importId),
                CampaignSchedule.Recurring(Recurrence.Every(RecurrenceFrequency.Daily, startAt(i), "America/New_York"))));
            ids.Add((tenant, id));
        });
        return [.. ids];
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

    /// <summary>A provider that accepts every message and records, on the wall clock, when each campaign's first one came.</summary>
    private sealed class FirstMessageProvider : IChannelProvider
    {
        public const string Name = "first-message";

        private readonly ConcurrentDictionary<string, DateTimeOffset> _firsts = new(StringComparer.Ordinal);
        private long _messages;

        public ProviderDescriptor Descriptor { get; } = new(Name, "First message per campaign (benchmarks)", [ChannelKind.Sms], []);

        public int Campaigns => _firsts.Count;

        public long Messages => Interlocked.Read(ref _messages);

        public IReadOnlyDictionary<string, DateTimeOffset> Firsts => _firsts;

        /// <summary>Forgets the warm-up's messages, so the measured burst is counted alone.</summary>
        public void Reset()
        {
            _firsts.Clear();
            Interlocked.Exchange(ref _messages, 0);
        }

        public IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string> settings) => [];

        public Task<SendResult> SendAsync(OutboundMessage message, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
        {
            var now = TimeProvider.System.GetUtcNow();
            Interlocked.Increment(ref _messages);
            _firsts.TryAdd(message.CampaignId, now);
            return Task.FromResult(SendResult.Sent(Guid.NewGuid().ToString()));
        }
    }
}
