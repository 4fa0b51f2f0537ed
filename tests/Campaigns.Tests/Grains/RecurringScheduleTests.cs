using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Grains;
using Campaigns.Scheduling;
using Campaigns.Storage;
using Campaigns.Tenants;
using Campaigns.Tests.Support;
using Campaigns.Validation;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

public sealed class RecurringScheduleTests
{
    private const string NewYork = "America/New_York";

    // 2026-03-02 15:00 UTC is 10:00 in New York: inside the default sending hours for the 201 numbers.
    private static readonly DateTimeOffset Epoch = CampaignsTestCluster.Epoch;

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_daily_schedule_starts_each_instance_on_its_time_with_an_id_derived_from_it()
    {
        var tenant = TenantId.Parse("rec-daily");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var first = At("2026-03-02T11:00:00-05:00");

        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, first, NewYork)));
        Assert.StartsWith(RecurrenceRules.SchedulePrefix, scheduleId, StringComparison.Ordinal);
        var schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        var firstId = RecurrenceRules.InstanceId(scheduleId, first);
        Assert.Equal((ScheduleStatus.Active, (DateTimeOffset?)first, firstId), (schedule.Status, schedule.NextSend, schedule.NextCampaignId));
        Assert.Empty(schedule.Instances);

        // The campaign list shows one upcoming row for the next send, under the id that send will have.
        var upcoming = Assert.Single((await env.Client.ListCampaignsAsync(tenant, new CampaignListQuery())).Items);
        Assert.Equal((firstId, scheduleId, true, true, (DateTimeOffset?)first), (upcoming.CampaignId, upcoming.ScheduleId, upcoming.IsRecurring, upcoming.IsUpcoming, upcoming.LastSent));

        await env.AdvanceToAsync(first.AddSeconds(-1));
        Assert.Empty(env.Outbox.Messages);

        // The armed timer fires on the second.
        env.Clock.Advance(TimeSpan.FromSeconds(1));
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        Assert.All(env.Outbox.Messages, m => Assert.Equal(firstId, m.CampaignId));

        var instance = (await env.Client.GetCampaignAsync(tenant, firstId))!;
        Assert.Equal((scheduleId, true, (DateTimeOffset?)first, CampaignStatus.Sent, 3), (instance.Row.ScheduleId, instance.Row.IsRecurring, instance.Row.LastSent, instance.Row.Status, instance.Row.Sent));

        schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(new ScheduleInstance(firstId, first, InstanceOutcome.Started), Assert.Single(schedule.Instances));
        Assert.Equal(first.AddDays(1), schedule.NextSend);

        var rows = (await env.Client.ListCampaignsAsync(tenant, new CampaignListQuery(Category: CampaignCategory.Recurring))).Items;
        Assert.Equal(
            [(RecurrenceRules.InstanceId(scheduleId, first.AddDays(1)), true, CampaignStatus.Scheduled), (firstId, false, CampaignStatus.Sent)],
            rows.Select(r => (r.CampaignId, r.IsUpcoming, r.Status)));
        Assert.All(rows, r => Assert.Equal(scheduleId, r.ScheduleId));

        // The next day, again on its time.
        await env.AdvanceToAsync(first.AddDays(1));
        await env.Outbox.WaitAsync(m => m.Count >= 6, Within.Seconds(20));
        Assert.Equal(3, env.Outbox.Messages.Count(m => m.CampaignId == RecurrenceRules.InstanceId(scheduleId, first.AddDays(1))));
    }

    [Fact]
    public async Task Across_spring_forward_the_schedule_sends_at_nine_local_time()
    {
        var tenant = TenantId.Parse("rec-dst");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(At("2026-03-06T15:00:00Z")));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, "phone,first_name,last_name\n2015550101,Ada,Lovelace\n");
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId,
            Recurrence.Every(RecurrenceFrequency.Daily, At("2026-03-07T09:00:00-05:00"), NewYork)));

        await env.AdvanceToAsync(At("2026-03-07T14:00:00Z"));
        await env.Outbox.WaitAsync(m => m.Count >= 1, Within.Seconds(20));

        // After the clocks go forward, 09:00 in New York is 13:00 UTC, an hour earlier than the day before.
        Assert.Equal(At("2026-03-08T13:00:00Z"), (await env.Client.GetScheduleAsync(tenant, scheduleId))!.NextSend);
        await env.AdvanceToAsync(At("2026-03-08T13:00:00Z"));
        await env.Outbox.WaitAsync(m => m.Count >= 2, Within.Seconds(20));
        Assert.Equal(
            [RecurrenceRules.InstanceId(scheduleId, At("2026-03-07T14:00:00Z")), RecurrenceRules.InstanceId(scheduleId, At("2026-03-08T13:00:00Z"))],
            env.Outbox.Messages.Select(m => m.CampaignId));
        Assert.Equal([At("2026-03-07T14:00:00Z"), At("2026-03-08T13:00:00Z")], env.Outbox.Messages.Select(m => m.At));
    }

    [Fact]
    public async Task After_a_six_hour_outage_only_the_latest_missed_send_inside_the_grace_window_goes_once()
    {
        var tenant = TenantId.Parse("rec-outage");
        using var dir = new TempDirectory();
        var start = At("2026-03-02T16:00:00Z");
        string scheduleId;
        await using (var before = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch)))
        {
            var (importId, script) = await before.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
            scheduleId = await before.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Rule("FREQ=HOURLY", start, NewYork)));
            await before.AdvanceToAsync(start);
            await before.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        }

        // Down from 16:00 to 22:30: the sends of 17:00 to 22:00 fell in the outage; 22:00 is 30 minutes old, inside the 1-hour grace.
        var clock = new FakeTimeProvider(At("2026-03-02T22:30:00Z"));
        await using var after = await CampaignsTestCluster.StartAsync(dir.Path, clock);
        await after.SweepAsync();
        var latest = RecurrenceRules.InstanceId(scheduleId, At("2026-03-02T22:00:00Z"));
        await after.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        await after.SweepAsync();

        Assert.All(after.Outbox.Messages, m => Assert.Equal(latest, m.CampaignId));
        Assert.Equal(3, after.Outbox.Messages.Count);
        var schedule = (await after.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(
            [
                (16, InstanceOutcome.Started), (17, InstanceOutcome.Missed), (18, InstanceOutcome.Missed), (19, InstanceOutcome.Missed),
                (20, InstanceOutcome.Missed), (21, InstanceOutcome.Missed), (22, InstanceOutcome.Started),
            ],
            schedule.Instances.Select(i => (i.At.UtcDateTime.Hour, i.Outcome)));
        Assert.Equal(At("2026-03-02T23:00:00Z"), schedule.NextSend);

        // Missed sends never appear as campaigns: the list has the two instances and the upcoming send.
        var rows = (await after.Client.ListCampaignsAsync(tenant, new CampaignListQuery())).Items;
        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public async Task A_missed_send_older_than_the_grace_window_is_recorded_and_never_sent()
    {
        var tenant = TenantId.Parse("rec-late");
        using var dir = new TempDirectory();
        var start = At("2026-03-02T16:00:00Z");
        string scheduleId;
        await using (var before = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch)))
        {
            var (importId, script) = await before.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
            scheduleId = await before.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));
        }

        await using var after = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(start.AddHours(1).AddMinutes(1)));
        await after.SweepAsync();
        await after.SweepAsync();

        var schedule = (await after.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(new ScheduleInstance(RecurrenceRules.InstanceId(scheduleId, start), start, InstanceOutcome.Missed), Assert.Single(schedule.Instances));
        Assert.Equal(start.AddDays(1), schedule.NextSend);
        Assert.Empty(after.Outbox.Messages);
        Assert.Null(await after.Client.GetCampaignAsync(tenant, RecurrenceRules.InstanceId(scheduleId, start)));
    }

    [Fact]
    public async Task Repeated_wakes_and_creates_for_one_occurrence_make_one_instance()
    {
        var tenant = TenantId.Parse("rec-redeliver");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var start = At("2026-03-02T16:00:00Z");
        var request = ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork));
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, request);

        env.Clock.Advance(start - Epoch);
        var grain = env.Cluster.Client.GetGrain<IRecurrenceGrain>(tenant.Key(scheduleId));
        TenantContext.Set(tenant);
        await Task.WhenAll(grain.Wake(), grain.Wake(), env.SweepAsync(), grain.Wake());
        await grain.Wake();

        // A tick redelivered after the schedule moved on (a crash between the create and the save) creates nothing new.
        var instanceId = RecurrenceRules.InstanceId(scheduleId, start);
        var instance = env.Cluster.Client.GetGrain<ICampaignGrain>(tenant.Key(instanceId));
        await instance.CreateInstance(request, script, new RecurringInstance(scheduleId, start, true));
        await Assert.ThrowsAsync<ConflictException>(() => instance.CreateInstance(request, script, new RecurringInstance(scheduleId, start.AddDays(1), true)));

        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        await env.SweepAsync();
        Assert.Equal(3, env.Outbox.Messages.Count);
        Assert.Equal(3, (await env.ReadFactsAsync(tenant, instanceId)).Count);
        Assert.Single((await env.Client.GetScheduleAsync(tenant, scheduleId))!.Instances);
        Orleans.Runtime.RequestContext.Clear();
    }

    [Fact]
    public async Task Without_repeat_recipients_a_contact_receives_one_of_three_instances()
    {
        var tenant = TenantId.Parse("rec-once");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var contacts = await ImportedContactsAsync(env, tenant, importId);
        var alan = contacts.Single(c => c.FirstName == "Alan");

        // Alan has opted out of SMS for the first send, so the first instance skips him (he received nothing).
        await env.Store.SetChannelStatusAsync(tenant, alan.ContactId, ChannelKind.Sms, ChannelStatus.OptedOut, null);
        var start = At("2026-03-02T16:00:00Z");
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId,
            Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork, allowRepeatRecipients: false)));

        await env.AdvanceToAsync(start);
        await env.Outbox.WaitAsync(m => m.Count >= 2, Within.Seconds(20));

        await env.Store.SetChannelStatusAsync(tenant, alan.ContactId, ChannelKind.Sms, ChannelStatus.OptedIn, null);
        await env.AdvanceToAsync(start.AddDays(1));
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        await env.AdvanceToAsync(start.AddDays(2));
        var third = RecurrenceRules.InstanceId(scheduleId, start.AddDays(2));
        await WaitForStatusAsync(env, tenant, third, CampaignStatus.Sent);

        Assert.Equal(
            [
                (RecurrenceRules.InstanceId(scheduleId, start), "+12015550101"),
                (RecurrenceRules.InstanceId(scheduleId, start), "+12015550102"),
                (RecurrenceRules.InstanceId(scheduleId, start.AddDays(1)), "+12015550103"),
            ],
            env.Outbox.Messages.Select(m => (m.CampaignId!, m.Address)).Order());

        var thirdFacts = await env.ReadFactsAsync(tenant, third);
        Assert.Equal(3, thirdFacts.Count);
        Assert.All(thirdFacts, f => Assert.Equal(DeliveryStatus.Skipped, f.Status));
        var third2 = (await env.Client.GetCampaignAsync(tenant, third))!;
        Assert.Equal((0, 3), (third2.Row.Sent, third2.Skipped));
    }

    [Fact]
    public async Task Sending_hours_hold_a_22_00_send_until_08_00_for_a_contact_three_zones_away_and_send_the_rest_at_once()
    {
        // The tenant is in Los Angeles; Ada's number is in New York (three zones east), Grace lives in Los Angeles.
        var tenant = TenantId.Parse("rec-quiet");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(At("2026-03-03T20:00:00Z")));
        var (importId, script) = await env.SeedTenantAsync(tenant, "America/Los_Angeles",
            "phone,first_name,last_name,time_zone\n2015550101,Ada,Lovelace,\n2015550102,Grace,Hopper,America/Los_Angeles\n");
        var sendAt = At("2026-03-03T19:00:00-08:00");
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId,
            Recurrence.Every(RecurrenceFrequency.Daily, sendAt, "America/Los_Angeles")));
        var instanceId = RecurrenceRules.InstanceId(scheduleId, sendAt);

        await env.AdvanceToAsync(sendAt);
        await env.Outbox.WaitAsync(m => m.Count >= 1, Within.Seconds(20));
        var instance = await WaitForAsync(env, tenant, instanceId, d => d.Row.Sent == 1);
        Assert.Equal(CampaignStatus.Sending, instance.Row.Status);
        Assert.Equal("+12015550102", Assert.Single(env.Outbox.Messages).Address);
        var facts = await env.ReadFactsAsync(tenant, instanceId);
        Assert.Equal([("+12015550101", DeliveryStatus.Waiting), ("+12015550102", DeliveryStatus.Sent)], facts.Select(f => (f.Address!, f.Status)).Order());

        // 07:59 in New York: still waiting.
        await env.AdvanceToAsync(At("2026-03-04T07:59:00-05:00"));
        Assert.Single(env.Outbox.Messages);

        // 08:00 in New York: the window opens and the held send goes; the campaign is then sent.
        await env.AdvanceToAsync(At("2026-03-04T08:00:00-05:00"));
        await env.Outbox.WaitAsync(m => m.Count >= 2, Within.Seconds(20));
        var held = env.Outbox.Messages.Single(m => m.Address == "+12015550101");
        Assert.Equal((instanceId, At("2026-03-04T13:00:00Z")), (held.CampaignId!, held.At));
        instance = await WaitForStatusAsync(env, tenant, instanceId, CampaignStatus.Sent);
        Assert.Equal(2, instance.Row.Sent);
    }

    [Fact]
    public async Task A_one_time_campaign_honours_sending_hours_too()
    {
        var tenant = TenantId.Parse("once-quiet");
        using var dir = new TempDirectory();

        // 03:00 in New York.
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(At("2026-03-03T08:00:00Z")));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var campaignId = await env.Client.CreateCampaignAsync(tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));
        var details = await WaitForAsync(env, tenant, campaignId, d => d.Row.Status == CampaignStatus.Sending);
        Assert.Equal(0, details.Row.Sent);
        Assert.All(await env.ReadFactsAsync(tenant, campaignId), f => Assert.Equal(DeliveryStatus.Waiting, f.Status));

        await env.AdvanceToAsync(At("2026-03-03T08:00:00-05:00"));
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        Assert.Equal(3, (await WaitForStatusAsync(env, tenant, campaignId, CampaignStatus.Sent)).Row.Sent);
    }

    [Fact]
    public async Task A_schedule_survives_a_host_restart_and_sends_on_its_time_once()
    {
        var tenant = TenantId.Parse("rec-restart");
        using var dir = new TempDirectory();
        var start = At("2026-03-03T16:00:00Z");
        string scheduleId;
        await using (var first = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch)))
        {
            var (importId, script) = await first.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
            scheduleId = await first.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId,
                Recurrence.Rule("FREQ=WEEKLY;BYDAY=TU,TH", start, NewYork)));
        }

        await using var second = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch.AddHours(1)));
        Assert.Equal(start, (await second.Client.GetScheduleAsync(tenant, scheduleId))!.NextSend);
        await second.AdvanceToAsync(start.AddSeconds(-1));
        Assert.Empty(second.Outbox.Messages);
        second.Clock.Advance(TimeSpan.FromSeconds(1));
        await second.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        await second.SweepAsync();
        Assert.Equal(3, second.Outbox.Messages.Count);
        Assert.All(second.Outbox.Messages, m => Assert.Equal(start, m.At));
        Assert.Equal(At("2026-03-05T16:00:00Z"), (await second.Client.GetScheduleAsync(tenant, scheduleId))!.NextSend);
    }

    [Fact]
    public async Task Cancel_skip_pause_resume_and_edit_move_the_next_send()
    {
        var tenant = TenantId.Parse("rec-control");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var start = At("2026-03-02T16:00:00Z");
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));

        // Cancelling the upcoming instance id skips that one send; the list's upcoming row moves on.
        await env.Client.CancelCampaignAsync(tenant, RecurrenceRules.InstanceId(scheduleId, start));
        await env.Client.CancelCampaignAsync(tenant, RecurrenceRules.InstanceId(scheduleId, start));
        Assert.Equal(start.AddDays(1), (await env.Client.GetScheduleAsync(tenant, scheduleId))!.NextSend);
        Assert.Equal(RecurrenceRules.InstanceId(scheduleId, start.AddDays(1)), Assert.Single((await env.Client.ListCampaignsAsync(tenant, new CampaignListQuery())).Items).CampaignId);
        await Assert.ThrowsAsync<NotFoundException>(() => env.Client.CancelCampaignAsync(tenant, RecurrenceRules.InstanceId(scheduleId, start.AddHours(1))));
        await env.AdvanceToAsync(start.AddMinutes(5));
        Assert.Empty(env.Outbox.Messages);
        Assert.Equal(InstanceOutcome.Skipped, Assert.Single((await env.Client.GetScheduleAsync(tenant, scheduleId))!.Instances).Outcome);

        // Paused: no next send and nothing sent at its time; resumed: the next one after now.
        await env.Client.PauseScheduleAsync(tenant, scheduleId);
        var paused = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal((true, ScheduleStatus.Active, (DateTimeOffset?)null), (paused.Paused, paused.Status, paused.NextSend));
        Assert.Empty((await env.Client.ListCampaignsAsync(tenant, new CampaignListQuery())).Items);
        await env.AdvanceToAsync(start.AddDays(1).AddMinutes(1));
        Assert.Empty(env.Outbox.Messages);
        await env.Client.ResumeScheduleAsync(tenant, scheduleId);
        Assert.Equal(start.AddDays(2), (await env.Client.GetScheduleAsync(tenant, scheduleId))!.NextSend);

        // Editing the rule recomputes the next send from now.
        var edited = await env.Client.EditScheduleAsync(tenant, scheduleId, Recurrence.Rule("FREQ=WEEKLY;BYDAY=FR", At("2026-03-02T08:30:00-05:00"), NewYork));
        Assert.Equal(At("2026-03-06T08:30:00-05:00"), edited.NextSend);
        var bad = await Assert.ThrowsAsync<CampaignsValidationException>(() => env.Client.EditScheduleAsync(tenant, scheduleId, Recurrence.Rule("FREQ=NEVER", start, "Nowhere/Land")));
        Assert.Equal(["schedule.rrule", "schedule.timeZone"], bad.Errors.Keys.Order(StringComparer.Ordinal));

        // Cancelling the schedule ends it (again: no change); nothing more is sent.
        await env.Client.CancelCampaignAsync(tenant, scheduleId);
        await env.Client.CancelCampaignAsync(tenant, scheduleId);
        var ended = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal((ScheduleStatus.Ended, (DateTimeOffset?)null), (ended.Status, ended.NextSend));
        Assert.Empty((await env.Client.ListCampaignsAsync(tenant, new CampaignListQuery())).Items);
        await Assert.ThrowsAsync<ConflictException>(() => env.Client.PauseScheduleAsync(tenant, scheduleId));
        await env.AdvanceToAsync(At("2026-03-06T08:31:00-05:00"));
        Assert.Empty(env.Outbox.Messages);
        Assert.DoesNotContain(DueWorkScheduler.ScheduleKey(tenant.Key(scheduleId)), await env.ReadDueKeysAsync());
    }

    [Fact]
    public async Task A_wake_that_sends_moves_past_the_sends_already_skipped_after_it()
    {
        var tenant = TenantId.Parse("rec-skip-ahead");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var start = At("2026-03-02T16:00:00Z");
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));

        // The second and third sends are cancelled ahead; the wake of the first finds the next send in the same pass over the rule.
        await env.Client.CancelCampaignAsync(tenant, RecurrenceRules.InstanceId(scheduleId, start.AddDays(1)));
        await env.Client.CancelCampaignAsync(tenant, RecurrenceRules.InstanceId(scheduleId, start.AddDays(2)));
        Assert.Equal(start, (await env.Client.GetScheduleAsync(tenant, scheduleId))!.NextSend);

        await env.AdvanceToAsync(start);
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        var schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal(start.AddDays(3), schedule.NextSend);
        Assert.Equal(
            [(start, InstanceOutcome.Started), (start.AddDays(1), InstanceOutcome.Skipped), (start.AddDays(2), InstanceOutcome.Skipped)],
            schedule.Instances.Select(i => (i.At, i.Outcome)));
        Assert.Contains(RecurrenceRules.InstanceId(scheduleId, start.AddDays(3)), (await env.Client.ListCampaignsAsync(tenant, new CampaignListQuery())).Items.Select(r => r.CampaignId));

        // Nothing goes on the skipped days; the day after them sends.
        await env.AdvanceToAsync(start.AddDays(3));
        await env.Outbox.WaitAsync(m => m.Count >= 6, Within.Seconds(20));
        Assert.Equal(
            [RecurrenceRules.InstanceId(scheduleId, start), RecurrenceRules.InstanceId(scheduleId, start.AddDays(3))],
            env.Outbox.Messages.Select(m => m.CampaignId).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_schedule_whose_end_date_passed_ends_after_its_last_send()
    {
        var tenant = TenantId.Parse("rec-end");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var start = At("2026-03-02T16:00:00Z");
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId,
            Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork, endDate: new DateOnly(2026, 3, 3))));

        await env.AdvanceToAsync(start);
        await env.AdvanceToAsync(start.AddDays(1));
        await env.Outbox.WaitAsync(m => m.Count >= 6, Within.Seconds(20));
        var schedule = (await env.Client.GetScheduleAsync(tenant, scheduleId))!;
        Assert.Equal((ScheduleStatus.Ended, (DateTimeOffset?)null, 2), (schedule.Status, schedule.NextSend, schedule.Instances.Count));

        var refused = await Assert.ThrowsAsync<CampaignsValidationException>(() => env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId,
            Recurrence.Every(RecurrenceFrequency.Daily, At("2026-02-01T16:00:00Z"), NewYork, endDate: new DateOnly(2026, 2, 20)))));
        Assert.Contains("schedule", refused.Errors.Keys);
    }

    [Fact]
    public async Task A_skipped_instance_reads_as_cancelled_and_cancelling_it_again_is_no_change_after_its_time_and_after_the_schedule_ended()
    {
        var tenant = TenantId.Parse("rec-skipped");
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(Epoch));
        var (importId, script) = await env.SeedTenantAsync(tenant, NewYork, CampaignsTestCluster.ThreeContactsCsv);
        var start = At("2026-03-02T16:00:00Z");
        var scheduleId = await env.Client.CreateCampaignAsync(tenant, ScheduleTestSupport.Recurring(importId, script.ScriptId, Recurrence.Every(RecurrenceFrequency.Daily, start, NewYork)));
        var skippedId = RecurrenceRules.InstanceId(scheduleId, start);

        await env.Client.CancelCampaignAsync(tenant, skippedId);
        var read = (await env.Client.GetCampaignAsync(tenant, skippedId))!;
        Assert.Equal((skippedId, scheduleId, CampaignStatus.Cancelled, false, (DateTimeOffset?)start), (read.Row.CampaignId, read.Row.ScheduleId, read.Row.Status, read.Row.IsUpcoming, read.Row.LastSent));

        // Its time passes: still cancelled, and cancelling it again changes nothing.
        await env.AdvanceToAsync(start.AddHours(2));
        Assert.Empty(env.Outbox.Messages);
        await env.Client.CancelCampaignAsync(tenant, skippedId);
        Assert.Equal(CampaignStatus.Cancelled, (await env.Client.GetCampaignAsync(tenant, skippedId))!.Row.Status);

        // The schedule ends: the same.
        await env.Client.CancelScheduleAsync(tenant, scheduleId);
        await env.Client.CancelCampaignAsync(tenant, skippedId);
        Assert.Equal(CampaignStatus.Cancelled, (await env.Client.GetCampaignAsync(tenant, skippedId))!.Row.Status);
        Assert.Equal(InstanceOutcome.Skipped, Assert.Single((await env.Client.GetScheduleAsync(tenant, scheduleId))!.Instances).Outcome);

        // An occurrence that was never skipped is still unknown once the schedule ended.
        await Assert.ThrowsAsync<NotFoundException>(() => env.Client.CancelCampaignAsync(tenant, RecurrenceRules.InstanceId(scheduleId, start.AddDays(1))));
        Assert.Null(await env.Client.GetCampaignAsync(tenant, RecurrenceRules.InstanceId(scheduleId, start.AddDays(1))));
    }

    private static async Task<IReadOnlyList<Contact>> ImportedContactsAsync(CampaignsTestCluster env, TenantId tenant, string importId) =>
        await env.Store.GetImportContactsAsync(tenant, importId, ImportSubset.All, null, 100);

    private static Task<CampaignDetails> WaitForStatusAsync(CampaignsTestCluster env, TenantId tenant, string campaignId, CampaignStatus status) =>
        WaitForAsync(env, tenant, campaignId, d => d.Row.Status == status);

    // The fan-out continues in one-way calls; a read through the grain queues behind the call in progress, so each read sees a later state.
    private static async Task<CampaignDetails> WaitForAsync(CampaignsTestCluster env, TenantId tenant, string campaignId, Func<CampaignDetails, bool> condition)
    {
        var timeout = Within.Seconds(20);
        while (true)
        {
            if (await env.Client.GetCampaignAsync(tenant, campaignId) is { } details && condition(details))
            {
                return details;
            }

            timeout.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
