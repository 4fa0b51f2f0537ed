using System.Diagnostics;
using System.Threading.Channels;
using Campaigns.Benchmarks.Runner;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Conversations;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// Issue 4's inbound replies: an interactive campaign sent to C = size / 10 contacts through the
/// real engine, then R = size replies spread over them, each routed end to end through
/// <see cref="CampaignsClient.ReceiveAsync"/> (normalising the number, finding the contact, the
/// conversation grain matching the open question, the campaign grain recording the fact, the next
/// question sent through the provider) by 32 concurrent callers, as a webhook receiver would. Every
/// reply's outcome is checked against the one the script gives, and the facts afterwards count
/// every response exactly. In the same run: the raw store writes of the same responses.
/// </summary>
internal sealed class RepliesScenario : IScenario
{
    public const int Callers = 32;

    private static readonly TenantId Tenant = TenantId.Parse("bench-replies");

    /// <summary>A check-in that loops: yes goes to the day, no to the reason, both come back to the first question.</summary>
    private static readonly StepDraft[] Steps =
    [
        new("coming", "yesNo", "Hi {{firstName}}, are you coming to orientation?", Next: new Dictionary<string, string> { ["yes"] = "day", ["no"] = "why" }),
        new("day", "multipleChoice", "Great! Which day?", ["Monday", "Tuesday", "Wednesday"], new Dictionary<string, string> { ["*"] = "coming" }),
        new("why", "openText", "What is stopping you?", Next: new Dictionary<string, string> { ["*"] = "coming" }),
    ];

    public string Name => "replies";

    public string Description => "inbound replies routed end to end through CampaignsClient.ReceiveAsync by 32 callers, against the raw store writes of the same responses";

    public async Task<ScenarioResult> RunAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var replies = context.Size;
        var contacts = Math.Max(1, context.Size / 10);
        context.Say($"replies: {replies:N0} replies across {contacts:N0} contacts, {Callers} concurrent callers");
        var samples = new Measurements();
        var peaks = new List<double>();
        string? memoryMethod = null;
        for (var run = 1; run <= context.Runs; run++)
        {
            var folder = Path.Combine(context.DataDirectory, $"run-{run}");
            Directory.CreateDirectory(folder);
            var csv = Path.Combine(folder, "contacts.csv");
            await ContactsCsv.WriteAsync(csv, contacts, cancellationToken);
            var channel = new CountingChannelProvider();
            await using (var engine = await EngineHost.StartAsync(folder, s => s.AddSingleton<IChannelProvider>(channel)))
            {
                var client = engine.Client;
                var store = engine.Services.GetRequiredService<ICampaignStore>();
                var setup = Stopwatch.GetTimestamp();
                var (campaignId, people) = await SendAsync(client, store, csv, contacts, cancellationToken);
                var plan = ReplyPlan.Make(people, replies, seed: run);
                context.Say($"replies run {run}: sent the campaign to {contacts:N0} contacts in {Stopwatch.GetElapsedTime(setup).TotalSeconds:0.0} s (setup, not measured); "
                    + $"{plan.Expected.Responded:N0} contacts will respond, {plan.Expected.OptedOut:N0} opt out, {plan.Expected.Invalid:N0} invalid answers, {plan.Help:N0} HELP");

                // The engine.
                channel.Reset();
                var latencies = new double[replies];
                var wrong = new List<string>();
                double rate;
                using (var memory = MemoryWatch.Start())
                {
                    var cpu = Environment.CpuUsage.TotalTime;
                    var started = Stopwatch.GetTimestamp();
                    await ReplayAsync(plan, async (reply, index) =>
                    {
                        var at = Stopwatch.GetTimestamp();
                        var result = await client.ReceiveAsync(Tenant, ChannelKind.Sms, reply.From, reply.Text, cancellationToken);
                        latencies[index] = Stopwatch.GetElapsedTime(at).TotalMilliseconds;
                        if (result.Outcome != reply.Expected || result.ContactId != reply.ContactId)
                        {
                            lock (wrong)
                            {
                                wrong.Add($"'{reply.Text}' from {reply.ContactId}: {result.Outcome} for {result.ContactId}, expected {reply.Expected}");
                            }
                        }
                    });
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
                    var (peakRss, peakManaged) = await memory.StopAsync();
                    memoryMethod = memory.Method;
                    rate = replies / elapsed.TotalSeconds;
                    samples.Add("repliesPerSecond", rate);
                    samples.Add("p50Ms", Percentiles.Of(latencies, 50));
                    samples.Add("p99Ms", Percentiles.Of(latencies, 99));
                    samples.Add("maxMs", latencies.Max());
                    var first = plan.Replies.Select((r, i) => (r, i)).Where(p => p.r.First).Select(p => latencies[p.i]).ToArray();
                    var later = plan.Replies.Select((r, i) => (r, i)).Where(p => !p.r.First).Select(p => latencies[p.i]).ToArray();
                    samples.Add("firstReplyP50Ms", Percentiles.Of(first, 50));
                    samples.Add("firstReplyP99Ms", Percentiles.Of(first, 99));
                    if (later.Length > 0)
                    {
                        samples.Add("laterReplyP50Ms", Percentiles.Of(later, 50));
                        samples.Add("laterReplyP99Ms", Percentiles.Of(later, 99));
                    }

                    samples.Add("cpuMsPer1000Replies", cpuMs / replies * 1000);
                    samples.Add("outboundMessages", channel.Count);
                    samples.Add("peakManagedHeapMb", peakManaged);
                    peaks.Add(peakRss);
                    context.Say($"replies run {run}: engine {rate:N0} replies/s ({elapsed.TotalSeconds:0.0} s, CPU {cpuMs / 1000:0.0} s), "
                        + $"p50 {Percentiles.Of(latencies, 50):0.00} ms, p99 {Percentiles.Of(latencies, 99):0.00} ms, {channel.Count:N0} messages out, peak {peakRss:0} MB");
                }

                if (wrong.Count > 0)
                {
                    throw new InvalidOperationException($"{wrong.Count:N0} replies were not routed as the script says, e.g. {string.Join("; ", wrong.Take(5))}.");
                }

                await VerifyAsync(client, store, campaignId, plan.Expected, cancellationToken);

                // The baseline: the same responses written straight to the store (no grains, no routing), by as many callers.
                var now = TimeProvider.System.GetUtcNow();
                var rawStarted = Stopwatch.GetTimestamp();
                await ReplayAsync(plan, async (reply, index) =>
                {
                    if (reply.Response is { } response)
                    {
                        _ = await store.RecordResponseAsync(Tenant, campaignId, reply.ContactId, response with { At = now }, cancellationToken)
                            ?? throw new InvalidOperationException($"No fact for {reply.ContactId}.");
                    }
                });
                var raw = replies / Stopwatch.GetElapsedTime(rawStarted).TotalSeconds;
                samples.Add("rawStoreRepliesPerSecond", raw);
                samples.Add("ratio.rawStore", rate / raw);
                context.Say($"replies run {run}: raw store writes {raw:N0} replies/s ({plan.Writes:N0} writes)");
            }

            TryDelete(folder);
        }

        var medians = samples.Medians();
        var ratios = new Dictionary<string, double>(StringComparer.Ordinal) { ["rawStore"] = medians["ratio.rawStore"] };
        medians.Remove("ratio.rawStore");
        medians["contacts"] = contacts;
        medians["callers"] = Callers;
        var spread = samples.Spreads();
        spread["peakMemoryMb"] = Measurements.SpreadOf(peaks);
        return new ScenarioResult(
            Name,
            context.Size,
            context.Machine,
            medians,
            ratios,
            peaks.Max(),
            context.Runs,
            spread,
            [],
            [
                $"repliesPerSecond: {replies:N0} replies across {contacts:N0} contacts (each reply to a contact picked at random, seeded; a contact's replies in order) / wall time, sent by {Callers} concurrent callers through CampaignsClient.ReceiveAsync on AddCampaignsEmbedded: number normalised, contact found, conversation grain matches the open question, campaign grain records the response in its fact, the next question rendered and sent through the provider.",
                "The script loops: a yes/no question (yes: a three-choice question, no: an open question), both back to the first. The replies: valid answers (yes, no, a choice by number or name, open text), about 10% invalid answers on the two closed questions, 2% HELP, and STOP as the last reply of one contact in 20. Every reply's outcome is checked against the script's; afterwards the facts must count exactly the contacts who responded, who opted out and every invalid answer, and the campaign list row the same responded count.",
                "p50Ms/p99Ms/maxMs: the time of each ReceiveAsync call under that concurrency (queueing behind the same campaign grain included); firstReply*: a contact's first reply of the run (its conversation grain reads its state and the contact's active campaign; a first response also publishes the campaign's list row), laterReply*: the others. cpuMsPer1000Replies: CPU time of the whole process per 1,000 replies. outboundMessages: what the conversations sent back (next questions, hints, help and opt-out confirmations).",
                $"rawStoreRepliesPerSecond: the same responses written with ICampaignStore.RecordResponseAsync (one UPDATE … RETURNING per response; HELP writes nothing) by {Callers} concurrent callers on the same file, no grains, no routing, no outbound message: the store's limit. The ratio is the engine's rate / this.",
                $"peakMemoryMb: the highest, over the runs, {memoryMethod} during the engine's replies (setup and baseline not included).",
            ]);
    }

    private static async Task<(string CampaignId, List<(string ContactId, string Phone)> People)> SendAsync(CampaignsClient client, ICampaignStore store, string csv, int contacts, CancellationToken cancellationToken)
    {
        await client.PutTenantAsync(Tenant, new TenantSettings("Replies benchmark", "America/New_York", "US", SendingHours: new SendingHours("00:00", "24:00")));
        await client.SetChannelAsync(Tenant, ChannelKind.Sms, CountingChannelProvider.Name, new Dictionary<string, string>());
        Contacts.ImportResult import;
        await using (var file = File.OpenRead(csv))
        {
            import = await client.ImportContactsAsync(Tenant, file, "replies", cancellationToken);
        }

        if (import.Created != contacts)
        {
            throw new InvalidOperationException($"The setup import created {import.Created:N0} of {contacts:N0} contacts.");
        }

        var script = await client.CreateScriptAsync(Tenant, new ScriptDraft("Orientation check-in", "Benchmark", Steps));
        var campaignId = await client.CreateCampaignAsync(Tenant, new CampaignRequest(
            "Orientation check-in", "Benchmark", script.ScriptId, ChannelKind.Sms, new Recipients(import.ImportId), CampaignSchedule.Now));
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 1800);
        while ((await client.GetCampaignAsync(Tenant, campaignId))?.Row.Status != CampaignStatus.Sent)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Campaign {campaignId} did not finish sending within 30 minutes.");
            }

            await Task.Delay(20, cancellationToken);
        }

        var people = new List<(string, string)>(contacts);
        await foreach (var fact in store.ReadFactsAsync(Tenant, campaignId, cancellationToken))
        {
            people.Add((fact.ContactId, fact.Address!));
        }

        return (campaignId, people);
    }

    /// <summary>
    /// Sends every reply of the plan with <see cref="Callers"/> concurrent callers: each takes the
    /// next contact in line, sends that contact's next reply, and puts the contact back in line if it
    /// has more, so one contact's replies arrive in order and different contacts' interleave.
    /// </summary>
    private static async Task ReplayAsync(ReplyPlan plan, Func<Reply, int, Task> send)
    {
        var line = Channel.CreateUnbounded<int>();
        var next = new int[plan.ByContact.Count];
        var left = plan.Count;
        foreach (var contact in Enumerable.Range(0, plan.ByContact.Count).Where(c => plan.ByContact[c].Count > 0))
        {
            line.Writer.TryWrite(contact);
        }

        if (left == 0)
        {
            return;
        }

        var callers = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            await foreach (var contact in line.Reader.ReadAllAsync())
            {
                var index = plan.ByContact[contact][next[contact]++];
                await send(plan.Replies[index], index);
                if (next[contact] < plan.ByContact[contact].Count)
                {
                    line.Writer.TryWrite(contact);
                }

                if (Interlocked.Decrement(ref left) == 0)
                {
                    line.Writer.TryComplete();
                }
            }
        }));
        await Task.WhenAll(callers);
    }

    private static async Task VerifyAsync(CampaignsClient client, ICampaignStore store, string campaignId, Expected expected, CancellationToken cancellationToken)
    {
        var counts = await store.CountFactsAsync(Tenant, campaignId, cancellationToken);
        if (counts.Responded != expected.Responded || counts.OptedOut != expected.OptedOut || counts.InvalidResponses != expected.Invalid)
        {
            throw new InvalidOperationException(
                $"The facts count {counts.Responded:N0} responded, {counts.OptedOut:N0} opted out and {counts.InvalidResponses:N0} invalid answers; "
                + $"the replies sent make {expected.Responded:N0}, {expected.OptedOut:N0} and {expected.Invalid:N0}.");
        }

        // The campaign list row follows the facts (the campaign grain publishes it); give it a moment.
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 30);
        int responded;
        while ((responded = (await client.GetCampaignAsync(Tenant, campaignId))!.Row.Responded) != expected.Responded)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"The campaign list row shows {responded:N0} responded; the facts hold {expected.Responded:N0}.");
            }

            await Task.Delay(50, cancellationToken);
        }
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

    /// <summary>One inbound reply, the outcome the script gives it, and the response the store records for it (none for HELP).</summary>
    private sealed record Reply(string ContactId, string From, string Text, InboundOutcome Expected, FactResponse? Response)
    {
        /// <summary>The contact's first reply of the run.</summary>
        public bool First { get; init; }
    }

    private sealed record Expected(int Responded, int OptedOut, int Invalid);

    /// <summary>The replies of a run, made by walking each contact through the script as the engine will.</summary>
    private sealed class ReplyPlan
    {
        public required List<Reply> Replies { get; init; }

        /// <summary>For each contact, the indexes of its replies in order.</summary>
        public required List<List<int>> ByContact { get; init; }

        public required Expected Expected { get; init; }

        public int Count => Replies.Count;

        public int Help => Replies.Count(r => r.Expected == InboundOutcome.Help);

        public int Writes => Replies.Count(r => r.Response is not null);

        public static ReplyPlan Make(List<(string ContactId, string Phone)> people, int count, int seed)
        {
            var random = new Random(seed);
            var perContact = new int[people.Count];
            for (var i = 0; i < count; i++)
            {
                perContact[random.Next(people.Count)]++;
            }

            var replies = new List<Reply>(count);
            var byContact = new List<List<int>>(people.Count);
            int responded = 0, optedOut = 0, invalid = 0;
            var at = DateTimeOffset.UnixEpoch;
            for (var c = 0; c < people.Count; c++)
            {
                var (contactId, phone) = people[c];
                var mine = new List<int>(perContact[c]);
                byContact.Add(mine);
                var step = "coming";
                var recorded = false;
                for (var k = 0; k < perContact[c]; k++)
                {
                    Reply reply;
                    var roll = random.Next(100);
                    if (k == perContact[c] - 1 && c % 20 == 0)
                    {
                        reply = new Reply(contactId, phone, "STOP", InboundOutcome.OptedOut, new FactResponse(at, OptedOut: true));
                        optedOut++;
                    }
                    else if (roll < 2)
                    {
                        reply = new Reply(contactId, phone, "HELP", InboundOutcome.Help, null);
                    }
                    else if (roll < 12 && step != "why")
                    {
                        reply = new Reply(contactId, phone, random.Next(2) == 0 ? "purple" : "what time is it", InboundOutcome.InvalidAnswer, new FactResponse(at, step, Invalid: true));
                        invalid++;
                    }
                    else
                    {
                        var (text, answer, next) = step switch
                        {
                            "coming" => random.Next(3) == 0 ? ("No, sorry", "no", "why") : ("Yes!", "yes", "day"),
                            "day" => random.Next(2) == 0 ? ("2", "Tuesday", "coming") : ("wednesday please", "Wednesday", "coming"),
                            _ => ("I need a ride from the station", "I need a ride from the station", "coming"),
                        };
                        reply = new Reply(contactId, phone, text, InboundOutcome.Answered, new FactResponse(at, step, answer));
                        step = next;
                    }

                    reply = reply with { First = k == 0 };
                    recorded |= reply.Response is not null;
                    mine.Add(replies.Count);
                    replies.Add(reply);
                }

                responded += recorded ? 1 : 0;
            }

            return new ReplyPlan { Replies = replies, ByContact = byContact, Expected = new Expected(responded, optedOut, invalid) };
        }
    }
}
