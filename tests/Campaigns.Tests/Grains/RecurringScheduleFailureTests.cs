using Campaigns.Campaigns;
using Campaigns.Grains;
using Campaigns.Scheduling;
using Campaigns.Tenants;
using Campaigns.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

/// <summary>
/// The ways a due instance could fail to start, each made to happen: a wake a moment before the
/// send time (the cause of the instances that never started in the scheduling benchmark), and a
/// write that fails while an instance starts (a busy SQLite file gives up after its timeout). The
/// send must be made once, by the next wake, never recorded as done (or skipped) while nothing sends.
/// </summary>
public sealed class RecurringScheduleFailureTests
{
    private const string NewYork = "America/New_York";

    private static readonly DateTimeOffset Epoch = CampaignsTestCluster.Epoch;

    /// <summary>
    /// A cluster with a daily schedule from <paramref name="start"/> whose store fails the first write of the
    /// due row of the instance at <paramref name="failingSend"/>.
    /// </summary>
    private static async Task<(CampaignsTestCluster Env, FaultyStore Faulty, string ScheduleId)> StartFailingOnceAsync(
        TempDirectory dir, TenantId tenant, DateTimeOffset start, DateTimeOffset failingSend)
    {
        string? failingKey = null;
        var failures = 0;
        FaultyStore? faulty = null;
        var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch), services: s =>
            faulty = FaultyStore.Register(s, (method, args) =>
                method == "SetDueAsync" && (string?)args[0] == failingKey && Interlocked.Increment(ref failures) == 1));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));
        failingKey = tenant.Key(RecurrenceRules.InstanceId(scheduleId, failingSend));
        return (env, faulty!, scheduleId);
    }

    /// <summary>The next sweep wakes the schedule again; returns once its instance's three messages left and a further sweep ran.</summary>
    private static async Task NextSweepSendsAsync(CampaignsTestCluster env)
    {
        env.Clock.Advance(env.Options.SweepInterval);
        await env.SweepAsync();
        await env.SettledAsync();
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        await env.SweepAsync();
    }

    [Fact]
    public async Task An_instance_whose_due_row_write_failed_starts_on_the_next_sweep()
    {
        var tenant = TenantId.Parse("rec-fail-due");
        var start = Epoch.AddHours(1);
        using var dir = new TempDirectory();
        var (env, faulty, scheduleId) = await StartFailingOnceAsync(dir, tenant, start, failingSend: start);
        await using var _ = env;
        var instanceId = RecurrenceRules.InstanceId(scheduleId, start);

        // The first wake at the send time fails: the instance's due row could not be written.
        await env.AdvanceToAsync(start);
        await env.SettledAsync();
        Assert.Equal(1, faulty.Failed);

        // A later sweep wakes the schedule again (its due row still says the send time), and the instance starts, once.
        await NextSweepSendsAsync(env);
        Assert.Equal(3, env.Outbox.Messages.Count);
        Assert.All(env.Outbox.Messages, m => Assert.Equal(instanceId, m.CampaignId));
        Assert.Equal(3, (await env.ReadFactsAsync(tenant, instanceId)).Count);
        var schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(new ScheduleInstance(instanceId, start, InstanceOutcome.Started), Assert.Single(schedule.Instances));
        Assert.Equal(start.AddDays(1), schedule.NextSend);
        Assert.Equal(CampaignStatus.Sent, (await env.Client.GetCampaignAsync(tenant, instanceId))!.Row.Status);
    }

    [Fact]
    public async Task A_failed_catch_up_after_an_outage_is_retried_whole_and_records_each_missed_send_once()
    {
        var tenant = TenantId.Parse("rec-fail-catchup");
        var start = Epoch.AddHours(1);
        var latest = start.AddDays(2);
        using var dir = new TempDirectory();
        var (env, faulty, scheduleId) = await StartFailingOnceAsync(dir, tenant, start, failingSend: latest);
        await using var _ = env;

        // Two days pass with nothing running (no sweeps); the third send is 30 minutes old when the engine looks.
        env.Clock.Advance(latest.AddMinutes(30) - Epoch);
        await env.SweepAsync();
        await env.SettledAsync();
        Assert.Equal(1, faulty.Failed);

        await NextSweepSendsAsync(env);

        var schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(
            [(start, InstanceOutcome.Missed), (start.AddDays(1), InstanceOutcome.Missed), (latest, InstanceOutcome.Started)],
            schedule.Instances.Select(i => (i.At, i.Outcome)));
        Assert.Equal(3, env.Outbox.Messages.Count);
        Assert.All(env.Outbox.Messages, m => Assert.Equal(RecurrenceRules.InstanceId(scheduleId, latest), m.CampaignId));
    }

    [Fact]
    public async Task A_wake_a_moment_before_the_send_time_does_not_skip_that_send()
    {
        var tenant = TenantId.Parse("rec-early-wake");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);

        // Not on a sweep's tick, so only the wake below looks at the schedule around its time.
        var start = Epoch.AddHours(1).AddSeconds(10);
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));
        var instanceId = RecurrenceRules.InstanceId(scheduleId, start);
        env.Clock.Advance(start.AddMilliseconds(-1) - Epoch);
        await env.SettledAsync();
        env.Services.GetRequiredService<DueWorkScheduler>().Disarm(DueWorkScheduler.ScheduleKey(tenant.Key(scheduleId)));

        // A timer fires a millisecond early (a system timer's due time is whole milliseconds on another clock),
        // and the clock moves on while the schedule works: its send time passes between two readings of the clock.
        env.Clock.AutoAdvanceAmount = TimeSpan.FromMilliseconds(2);
        TenantContext.Set(tenant);
        await env.Cluster.Client.GetGrain<IRecurrenceGrain>(tenant.Key(scheduleId)).Wake();
        Orleans.Runtime.RequestContext.Clear();
        env.Clock.AutoAdvanceAmount = TimeSpan.Zero;

        // The send is still the next one, due now: the timer that wake armed (or the sweep) starts it.
        await env.SweepAsync();
        await env.SettledAsync();
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        Assert.All(env.Outbox.Messages, m => Assert.Equal(instanceId, m.CampaignId));
        var schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(new ScheduleInstance(instanceId, start, InstanceOutcome.Started), Assert.Single(schedule.Instances));
        Assert.Equal(start.AddDays(1), schedule.NextSend);
    }
}
