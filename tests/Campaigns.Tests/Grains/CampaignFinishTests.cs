using System.Collections.Concurrent;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Grains;
using Campaigns.Hosting;
using Campaigns.Scheduling;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Campaigns.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;

namespace Campaigns.Tests.Grains;

/// <summary>
/// How a send ends when nothing is left to wait for: a recurring instance sends its first page
/// within the schedule's wake, and a campaign whose last page leaves only final facts is marked sent
/// with that page's own write, while one whose write fails stays sending and ends on its retry.
/// </summary>
public sealed class CampaignFinishTests
{
    private const string NewYork = "America/New_York";

    private static readonly DateTimeOffset Epoch = CampaignsTestCluster.Epoch;

    [Fact]
    public async Task A_recurring_instance_has_sent_and_finished_when_the_wake_that_created_it_returns()
    {
        var tenant = TenantId.Parse("finish-wake");
        var start = Epoch.AddHours(1);
        var calls = new ConcurrentQueue<(string Method, object? First, object? Second)>();
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch), services: s =>
            FaultyStore.Register(s, (method, args) =>
            {
                calls.Enqueue((method, args.ElementAtOrDefault(0), args.ElementAtOrDefault(1)));
                return false;
            }));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));
        var instanceId = RecurrenceRules.InstanceId(scheduleId, start);

        // The timer armed for the send time wakes the schedule; once that wake has returned, the instance's messages
        // went and it ended: nothing here waits for the instance itself.
        env.Clock.Advance(start - env.Clock.GetUtcNow());
        await env.SettledAsync();

        // The messages went, and were recorded, before the schedule saved its next send: its own work waits, not the send.
        var order = calls.ToList();
        var recorded = order.FindIndex(c => c is { Method: nameof(ICampaignStore.InsertFactsAsync), Second: string id } && id == instanceId);
        var scheduleMoved = order.FindIndex(c => c.Method == nameof(ICampaignStore.SetDueAsync)
            && c.First is string key && key == DueWorkScheduler.ScheduleKey(tenant.Key(scheduleId)) && c.Second is DateTimeOffset at && at == start.AddDays(1));
        Assert.InRange(recorded, 0, scheduleMoved - 1);
        Assert.Equal(3, env.Outbox.Messages.Count);
        Assert.All(env.Outbox.Messages, m => Assert.Equal(instanceId, m.CampaignId));
        Assert.All(await env.ReadFactsAsync(tenant, instanceId), f => Assert.Equal(DeliveryStatus.Sent, f.Status));
        Assert.DoesNotContain(tenant.Key(instanceId), await env.ReadDueKeysAsync());
        var row = Assert.Single((await env.Client.ListCampaignsAsync(tenant, new CampaignListQuery(Category: CampaignCategory.Recurring))).Items, r => r.CampaignId == instanceId);
        Assert.Equal((CampaignStatus.Sent, false, 3), (row.Status, row.IsUpcoming, row.Sent));
        var schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(new ScheduleInstance(instanceId, start, InstanceOutcome.Started), Assert.Single(schedule.Instances));
        Assert.Equal(start.AddDays(1), schedule.NextSend);
    }

    [Fact]
    public async Task A_recurring_instance_sends_at_most_a_hundred_within_the_wake_and_the_rest_in_pages_of_its_own()
    {
        var tenant = TenantId.Parse("finish-wake-cap");
        var start = Epoch.AddHours(1);
        var pages = new ConcurrentQueue<(string CampaignId, int Facts)>();
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch), services: s =>
            FaultyStore.Register(s, (method, args) =>
            {
                if (method == nameof(ICampaignStore.InsertFactsAsync) && args[1] is string id && args[2] is IReadOnlyList<NewFact> facts)
                {
                    pages.Enqueue((id, facts.Count));
                }

                return false;
            }));
        var csv = "phone,first_name,last_name\n" + string.Concat(Enumerable.Range(0, 150).Select(i => $"201555{1000 + i},First{i},Last{i}\n"));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, csv);
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));
        var instanceId = RecurrenceRules.InstanceId(scheduleId, start);

        env.Clock.Advance(start - env.Clock.GetUtcNow());
        await env.SettledAsync();
        var details = await WhenSentAsync(env, tenant, instanceId);

        // The page sent within the wake held a hundred contacts; the other fifty went in a page of their own, and each
        // of the 150 got the message once.
        Assert.Equal([(instanceId, CampaignGrain.InlinePageSize), (instanceId, 50)], pages);
        Assert.Equal(150, details.Row.Sent);
        Assert.Equal(150, env.Outbox.Messages.Select(m => m.Address).Distinct().Count());
        Assert.Equal(150, env.Outbox.Messages.Count);
        var schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(new ScheduleInstance(instanceId, start, InstanceOutcome.Started), Assert.Single(schedule.Instances));
    }

    [Fact]
    public async Task A_recurring_instance_started_late_sends_in_turns_of_its_own_while_its_schedule_moves_on()
    {
        var tenant = TenantId.Parse("finish-late");
        var start = Epoch.AddHours(1);
        var gate = new GateChannelProvider { HoldCall = 1 };
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch), services: s => s.AddSingleton<IChannelProvider>(gate));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        await env.Client.SetChannelAsync(tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));
        var instanceId = RecurrenceRules.InstanceId(scheduleId, start);

        // The clock jumps ten minutes past the send (the host was busy or down): the sweep wakes the schedule late, inside
        // the grace window, and the instance's first call to the provider waits.
        env.Clock.Advance(start.AddMinutes(10) - env.Clock.GetUtcNow());
        await gate.Held.WaitAsync(Within.Seconds(20));

        // The schedule's wake did not wait for the provider: it recorded the instance and moved to the next send.
        var schedule = await env.Client.GetScheduleAsync(tenant, scheduleId).WaitAsync(Within.Seconds(20));
        Assert.Equal(new ScheduleInstance(instanceId, start, InstanceOutcome.Started), Assert.Single(schedule!.Instances));
        Assert.Equal(start.AddDays(1), schedule.NextSend);

        gate.Release();
        await env.SettledAsync();
        var details = await WhenSentAsync(env, tenant, instanceId);
        Assert.Equal(3, details.Row.Sent);
        Assert.Equal(3, gate.Accepted.Count);
    }

    [Fact]
    public async Task A_recurring_instance_whose_first_page_write_fails_within_the_wake_is_recorded_once_and_written_on_its_retry()
    {
        var tenant = TenantId.Parse("finish-wake-fail");
        var start = Epoch.AddHours(1);
        string? instanceId = null;
        var failures = 0;
        using var dir = new TempDirectory();
        FaultyStore? faulty = null;
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch), services: s =>
            faulty = FaultyStore.Register(s, (method, args) =>
                method == nameof(ICampaignStore.InsertFactsAsync) && (string?)args[1] == instanceId && Interlocked.Increment(ref failures) == 1));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));
        instanceId = RecurrenceRules.InstanceId(scheduleId, start);

        // The wake creates the instance; its first page (fresh: sent, then written once) leaves, and the write of its
        // facts fails.
        env.Clock.Advance(start - env.Clock.GetUtcNow());
        await env.SettledAsync();
        Assert.Equal(1, faulty!.Failed);
        Assert.Equal(3, env.Outbox.Messages.Count);
        Assert.Empty(await env.ReadFactsAsync(tenant, instanceId));

        // The instance exists and is recorded once; the schedule has moved on to its next send.
        var schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(new ScheduleInstance(instanceId, start, InstanceOutcome.Started), Assert.Single(schedule.Instances));
        Assert.Equal(start.AddDays(1), schedule.NextSend);
        Assert.Equal(CampaignStatus.Sending, (await env.Client.GetCampaignAsync(tenant, instanceId))!.Row.Status);

        // The retry the failed write armed writes the page's facts, and sends nothing again.
        env.Clock.Advance(TimeSpan.FromSeconds(1));
        await env.SettledAsync();
        var details = await WhenSentAsync(env, tenant, instanceId);
        Assert.Equal(3, details.Row.Sent);
        Assert.Equal(3, env.Outbox.Messages.Count);
        Assert.All(env.Outbox.Messages, m => Assert.Equal(instanceId, m.CampaignId));
        Assert.DoesNotContain(tenant.Key(instanceId), await env.ReadDueKeysAsync());
    }

    [Fact]
    public async Task A_campaign_whose_only_page_leaves_every_fact_final_ends_without_looking_for_held_sends()
    {
        var tenant = TenantId.Parse("finish-page");
        var calls = new ConcurrentQueue<string>();
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch), services: s =>
            FaultyStore.Register(s, (method, _) =>
            {
                calls.Enqueue(method);
                return false;
            }));
        var (importId, script) = await env.SeedAsync(tenant, CampaignsTestCluster.ThreeContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));

        var campaignId = await env.Client.CreateCampaignAsync(tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        var details = await WhenSentAsync(env, tenant, campaignId);

        Assert.Equal((3, 0), (details.Row.Sent, details.Skipped));
        Assert.DoesNotContain(tenant.Key(campaignId), await env.ReadDueKeysAsync());
        Assert.DoesNotContain(nameof(ICampaignStore.ReleaseDueAsync), calls);
        Assert.DoesNotContain(nameof(ICampaignStore.NextWaitAsync), calls);
    }

    [Fact]
    public async Task A_campaign_whose_finishing_write_fails_stays_sending_and_ends_on_its_retry_without_sending_again()
    {
        var tenant = TenantId.Parse("finish-retry");
        using var dir = new TempDirectory();
        var failing = new FailFirstSentWrite();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch), services: s =>
            s.AddKeyedSingleton<IGrainStorage>(CampaignsDefaults.StorageName, (sp, _) =>
            {
                failing.Inner = new SqliteGrainStorage(sp.GetRequiredService<SqliteCampaignStore>(), new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>()));
                return failing;
            }));
        var (importId, script) = await env.SeedAsync(tenant, CampaignsTestCluster.ThreeContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));

        var campaignId = await env.Client.CreateCampaignAsync(tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        await failing.Failed.WaitAsync(Within.Seconds(20));

        // The write that would have ended the send failed: it is still sending, and its due row stays for the retry.
        var details = (await env.Client.GetCampaignAsync(tenant, campaignId))!;
        Assert.Equal(CampaignStatus.Sending, details.Row.Status);
        Assert.Contains(tenant.Key(campaignId), await env.ReadDueKeysAsync());

        // The retry (armed after the failure) ends it; nobody receives the message twice.
        env.Clock.Advance(TimeSpan.FromSeconds(1));
        await env.SettledAsync();
        details = await WhenSentAsync(env, tenant, campaignId);
        Assert.Equal(3, details.Row.Sent);
        Assert.Equal(3, env.Outbox.Messages.Count);
        Assert.DoesNotContain(tenant.Key(campaignId), await env.ReadDueKeysAsync());
    }

    /// <summary>Asks the campaign until it reads as sent; each call waits for the grain's current turn.</summary>
    private static async Task<CampaignDetails> WhenSentAsync(CampaignsTestCluster env, TenantId tenant, string campaignId)
    {
        var within = Within.Seconds(20);
        while (true)
        {
            var details = (await env.Client.GetCampaignAsync(tenant, campaignId))!;
            if (details.Row.Status == CampaignStatus.Sent)
            {
                return details;
            }

            within.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The silo's grain storage, with the first write of a campaign marked sent failing as a busy file fails it.</summary>
    private sealed class FailFirstSentWrite : IGrainStorage
    {
        private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SqliteGrainStorage Inner { get; set; } = null!;

        public Task Failed => _failed.Task;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (grainState.State is CampaignState { Status: CampaignStatus.Sent } && _failed.TrySetResult())
            {
                return Task.FromException(new Microsoft.Data.Sqlite.SqliteException("SQLite Error 5: 'database is locked'.", 5));
            }

            return Inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
