using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Campaigns.Tests.Api;

/// <summary>Recurring schedules and the preview through the HTTP contract (API.md), on the admin sample.</summary>
public sealed class SchedulingApiTests : ApiTestHost
{
    private const string Start = "2030-03-04T09:00:00-05:00";
    private async Task<(string ImportId, string ScriptId)> Seed(string tenant)
    {
        await CreateTenant(tenant);
        return (await Import(tenant, "phone,first_name,last_name\n2025550143,Ada,Lovelace\n"), await Script(tenant, "Nudge", new { id = "m", kind = "message", text = "Hi {{firstName}}" }));
    }

    private Task<HttpResponseMessage> PostRecurring(string tenant, string importId, string scriptId, object schedule) =>
        PostCampaign(tenant, "Weekly", scriptId, importId, schedule, "Every Monday");

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task A_recurring_campaign_names_its_schedule_shows_its_next_send_and_lists_one_upcoming_row()
    {
        var (importId, scriptId) = await Seed("sch-a");
        var created = await Json(await PostRecurring("sch-a", importId, scriptId, new { kind = "recurring", frequency = "weekly", startAt = Start, timeZone = "America/New_York", endDate = "2030-12-31", allowRepeatRecipients = false }), HttpStatusCode.Created);
        var scheduleId = created.GetProperty("campaignId").GetString()!;

        var schedule = await Json(await Http.GetAsync($"/api/v1/tenants/sch-a/campaigns/{scheduleId}"), HttpStatusCode.OK);
        Assert.Equal("active", schedule.GetProperty("status").GetString());
        Assert.Equal(DateTimeOffset.Parse(Start, System.Globalization.CultureInfo.InvariantCulture), schedule.GetProperty("nextSend").GetDateTimeOffset());
        Assert.Equal(0, schedule.GetProperty("instances").GetArrayLength());
        var rule = schedule.GetProperty("schedule");
        Assert.Equal(("recurring", "weekly", "America/New_York", "2030-12-31", false),
            (rule.GetProperty("kind").GetString(), rule.GetProperty("frequency").GetString(), rule.GetProperty("timeZone").GetString(), rule.GetProperty("endDate").GetString(), rule.GetProperty("allowRepeatRecipients").GetBoolean()));

        var nextId = schedule.GetProperty("nextCampaignId").GetString()!;
        var list = await Json(await Http.GetAsync("/api/v1/tenants/sch-a/campaigns?category=recurring"), HttpStatusCode.OK);
        var row = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal((nextId, scheduleId, true, true, "scheduled"),
            (row.GetProperty("campaignId").GetString(), row.GetProperty("scheduleId").GetString(), row.GetProperty("isRecurring").GetBoolean(), row.GetProperty("isUpcoming").GetBoolean(), row.GetProperty("status").GetString()));
        Assert.Equal(1, list.GetProperty("counts").GetProperty("upcoming").GetInt32());

        // The upcoming send reads as a scheduled campaign under its own id.
        var upcoming = await Json(await Http.GetAsync($"/api/v1/tenants/sch-a/campaigns/{nextId}"), HttpStatusCode.OK);
        Assert.Equal(("scheduled", scheduleId), (upcoming.GetProperty("status").GetString(), upcoming.GetProperty("scheduleId").GetString()));
    }

    [Fact]
    public async Task Cancelling_an_upcoming_instance_skips_one_send_and_cancelling_the_schedule_ends_it()
    {
        var (importId, scriptId) = await Seed("sch-b");
        var scheduleId = (await Json(await PostRecurring("sch-b", importId, scriptId, new { kind = "recurring", rrule = "FREQ=WEEKLY;BYDAY=MO,WE", startAt = Start, timeZone = "America/New_York" }), HttpStatusCode.Created))
            .GetProperty("campaignId").GetString()!;
        var nextId = (await Json(await Http.GetAsync($"/api/v1/tenants/sch-b/campaigns/{scheduleId}"), HttpStatusCode.OK)).GetProperty("nextCampaignId").GetString()!;

        var skipped = await Json(await Http.PostAsync($"/api/v1/tenants/sch-b/campaigns/{nextId}/cancel", null), HttpStatusCode.OK);
        Assert.Equal("cancelled", skipped.GetProperty("status").GetString());
        await Json(await Http.PostAsync($"/api/v1/tenants/sch-b/campaigns/{nextId}/cancel", null), HttpStatusCode.OK);
        var cancelled = await Json(await Http.GetAsync($"/api/v1/tenants/sch-b/campaigns/{nextId}"), HttpStatusCode.OK);
        Assert.Equal(("cancelled", scheduleId), (cancelled.GetProperty("status").GetString(), cancelled.GetProperty("scheduleId").GetString()));
        var schedule = await Json(await Http.GetAsync($"/api/v1/tenants/sch-b/campaigns/{scheduleId}"), HttpStatusCode.OK);
        Assert.Equal(DateTimeOffset.Parse("2030-03-06T09:00:00-05:00", System.Globalization.CultureInfo.InvariantCulture), schedule.GetProperty("nextSend").GetDateTimeOffset());
        var instance = Assert.Single(schedule.GetProperty("instances").EnumerateArray());
        Assert.Equal((nextId, "skipped"), (instance.GetProperty("campaignId").GetString(), instance.GetProperty("status").GetString()));

        var ended = await Json(await Http.PostAsync($"/api/v1/tenants/sch-b/campaigns/{scheduleId}/cancel", null), HttpStatusCode.OK);
        Assert.Equal("ended", ended.GetProperty("status").GetString());
        await Json(await Http.PostAsync($"/api/v1/tenants/sch-b/campaigns/{scheduleId}/cancel", null), HttpStatusCode.OK);

        // The skipped send stays cancelled after the schedule ended, and cancelling it again is still 200.
        await Json(await Http.PostAsync($"/api/v1/tenants/sch-b/campaigns/{nextId}/cancel", null), HttpStatusCode.OK);
        Assert.Equal("cancelled", (await Json(await Http.GetAsync($"/api/v1/tenants/sch-b/campaigns/{nextId}"), HttpStatusCode.OK)).GetProperty("status").GetString());
        schedule = await Json(await Http.GetAsync($"/api/v1/tenants/sch-b/campaigns/{scheduleId}"), HttpStatusCode.OK);
        Assert.Equal(("ended", JsonValueKind.Null), (schedule.GetProperty("status").GetString(), schedule.GetProperty("nextSend").ValueKind));
        Assert.Equal(0, (await Json(await Http.GetAsync("/api/v1/tenants/sch-b/campaigns"), HttpStatusCode.OK)).GetProperty("total").GetInt32());

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/tenants/sch-b/campaigns/rec_00000000000000ff")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync($"/api/v1/tenants/sch-b/campaigns/{scheduleId}-20300304T150000Z/cancel", null)).StatusCode);
        await Seed("sch-b2");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/tenants/sch-b2/campaigns/{scheduleId}")).StatusCode);
    }

    [Fact]
    public async Task Pause_resume_and_edit_routes_change_the_next_send()
    {
        var (importId, scriptId) = await Seed("sch-c");
        var scheduleId = (await Json(await PostRecurring("sch-c", importId, scriptId, new { kind = "recurring", frequency = "daily", startAt = Start, timeZone = "America/New_York" }), HttpStatusCode.Created))
            .GetProperty("campaignId").GetString()!;

        var paused = await Json(await Http.PostAsync($"/api/v1/tenants/sch-c/campaigns/{scheduleId}/pause", null), HttpStatusCode.OK);
        Assert.Equal(("active", true, JsonValueKind.Null), (paused.GetProperty("status").GetString(), paused.GetProperty("paused").GetBoolean(), paused.GetProperty("nextSend").ValueKind));
        var resumed = await Json(await Http.PostAsync($"/api/v1/tenants/sch-c/campaigns/{scheduleId}/resume", null), HttpStatusCode.OK);
        Assert.False(resumed.GetProperty("paused").GetBoolean());
        Assert.Equal(DateTimeOffset.Parse(Start, System.Globalization.CultureInfo.InvariantCulture), resumed.GetProperty("nextSend").GetDateTimeOffset());

        var edited = await Json(await Http.PutAsJsonAsync($"/api/v1/tenants/sch-c/campaigns/{scheduleId}/schedule", new { rrule = "FREQ=MONTHLY;BYMONTHDAY=15", startAt = Start, timeZone = "America/Chicago" }), HttpStatusCode.OK);
        // 09:00 in New York is 08:00 in Chicago: the local time is the start instant read in the new zone.
        Assert.Equal("2030-03-15T08:00:00-05:00", edited.GetProperty("nextSend").GetString());
        Assert.Equal("America/Chicago", edited.GetProperty("schedule").GetProperty("timeZone").GetString());

        var bad = await Json(await Http.PutAsJsonAsync($"/api/v1/tenants/sch-c/campaigns/{scheduleId}/schedule", new { frequency = "yearly", startAt = "tomorrow" }), HttpStatusCode.BadRequest);
        Assert.Equal(["frequency", "startAt", "timeZone"], bad.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_bad_recurring_schedule_is_refused_naming_every_problem()
    {
        var (importId, scriptId) = await Seed("sch-d");
        var problem = await Json(await PostRecurring("sch-d", importId, scriptId, new { kind = "recurring", rrule = "FREQ=FORTNIGHTLY", startAt = Start }), HttpStatusCode.BadRequest);
        Assert.Equal(["schedule.rrule", "schedule.timeZone"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var both = await Json(await PostRecurring("sch-d", importId, scriptId, new { kind = "recurring", frequency = "daily", rrule = "FREQ=DAILY", startAt = Start, timeZone = "Mars/Base", endDate = "2030-01-01" }), HttpStatusCode.BadRequest);
        Assert.Equal(["schedule.rrule", "schedule.timeZone"], both.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

        var ended = await Json(await PostRecurring("sch-d", importId, scriptId, new { kind = "recurring", frequency = "daily", startAt = "2020-01-01T09:00:00Z", timeZone = "Etc/UTC", endDate = "2020-02-01" }), HttpStatusCode.BadRequest);
        Assert.True(ended.GetProperty("errors").TryGetProperty("schedule", out _));
        Assert.Equal(0, (await Json(await Http.GetAsync("/api/v1/tenants/sch-d/campaigns"), HttpStatusCode.OK)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_preview_lists_send_times_with_offsets_in_the_tenant_zone_by_default()
    {
        await Seed("sch-e");
        var weekly = await Json(await Http.GetAsync($"/api/v1/tenants/sch-e/schedules/preview?frequency=weekly&startAt={Uri.EscapeDataString(Start)}&count=3"), HttpStatusCode.OK);
        Assert.Equal(["2030-03-04T09:00:00-05:00", "2030-03-11T09:00:00-04:00", "2030-03-18T09:00:00-04:00"], Strings(weekly.GetProperty("occurrences")));

        var defaults = await Json(await Http.GetAsync($"/api/v1/tenants/sch-e/schedules/preview?rrule={Uri.EscapeDataString("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")}&startAt={Uri.EscapeDataString(Start)}&timeZone=Europe/London"), HttpStatusCode.OK);
        var times = Strings(defaults.GetProperty("occurrences"));
        Assert.Equal(10, times.Length);
        Assert.Equal(["2030-03-29T14:00:00+00:00", "2030-04-30T14:00:00+01:00"], times[..2]);

        var ending = await Json(await Http.GetAsync($"/api/v1/tenants/sch-e/schedules/preview?frequency=daily&startAt={Uri.EscapeDataString(Start)}&endDate=2030-03-05"), HttpStatusCode.OK);
        Assert.Equal(["2030-03-04T09:00:00-05:00", "2030-03-05T09:00:00-05:00"], Strings(ending.GetProperty("occurrences")));

        var tooMany = await Json(await Http.GetAsync($"/api/v1/tenants/sch-e/schedules/preview?frequency=daily&startAt={Uri.EscapeDataString(Start)}&count=101"), HttpStatusCode.BadRequest);
        Assert.True(tooMany.GetProperty("errors").TryGetProperty("count", out _));

        var bad = await Json(await Http.GetAsync("/api/v1/tenants/sch-e/schedules/preview?rrule=FREQ%3DNEVER&timeZone=Mars/Base"), HttpStatusCode.BadRequest);
        Assert.Equal(["rrule", "startAt", "timeZone"], bad.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_rule_with_a_malformed_or_oversized_number_is_a_400_on_rrule_in_every_route()
    {
        var (importId, scriptId) = await Seed("sch-f");
        var preview = await Json(await Http.GetAsync($"/api/v1/tenants/sch-f/schedules/preview?rrule={Uri.EscapeDataString("FREQ=DAILY;INTERVAL=abc")}&startAt={Uri.EscapeDataString(Start)}"), HttpStatusCode.BadRequest);
        Assert.Equal(["rrule"], preview.GetProperty("errors").EnumerateObject().Select(p => p.Name));

        var created = await Json(await PostRecurring("sch-f", importId, scriptId, new { kind = "recurring", rrule = "FREQ=DAILY;COUNT=99999999999", startAt = Start, timeZone = "America/New_York" }), HttpStatusCode.BadRequest);
        Assert.Equal(["schedule.rrule"], created.GetProperty("errors").EnumerateObject().Select(p => p.Name));

        var scheduleId = (await Json(await PostRecurring("sch-f", importId, scriptId, new { kind = "recurring", frequency = "daily", startAt = Start, timeZone = "America/New_York" }), HttpStatusCode.Created))
            .GetProperty("campaignId").GetString()!;
        var edited = await Json(await Http.PutAsJsonAsync($"/api/v1/tenants/sch-f/campaigns/{scheduleId}/schedule", new { rrule = "FREQ=MONTHLY;BYMONTHDAY=abc", startAt = Start, timeZone = "America/New_York" }), HttpStatusCode.BadRequest);
        Assert.Equal(["rrule"], edited.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        var hourly = await Json(await Http.PutAsJsonAsync($"/api/v1/tenants/sch-f/campaigns/{scheduleId}/schedule", new { rrule = "FREQ=HOURLY;BYMINUTE=0,1,2", startAt = Start, timeZone = "America/New_York" }), HttpStatusCode.BadRequest);
        Assert.Contains("at most hourly", hourly.GetProperty("errors").GetProperty("rrule")[0].GetString(), StringComparison.Ordinal);
    }
}
