using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Campaigns.Tests.Api;

/// <summary>Bad input through the HTTP contract: 400 naming every problem (API.md "Conventions"), nothing created.</summary>
public sealed class InputValidationApiTests : ApiTestHost
{
    private static string[] ErrorFields(JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task A_tenant_id_with_a_trailing_line_break_is_400_and_creates_no_tenant()
    {
        var problem = await Json(await Http.PutAsJsonAsync("/api/v1/tenants/rv3%0A", new { displayName = "Uni", timeZone = "America/New_York" }), HttpStatusCode.BadRequest);
        Assert.Equal(["tenantId"], ErrorFields(problem));
        Assert.Null(await App.Campaigns.GetTenantAsync(TenantId.Parse("rv3")));
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync("/api/v1/tenants/rv3%0A")).StatusCode);
    }

    [Fact]
    public async Task Sending_hours_with_a_trailing_line_break_are_not_a_time_of_day()
    {
        var problem = await Json(await Http.PutAsJsonAsync("/api/v1/tenants/hours-a", new { displayName = "Uni", timeZone = "America/New_York", sendingHours = new { start = "08:00\n", end = "21:00\n" } }), HttpStatusCode.BadRequest);
        Assert.Equal(["sendingHours.end", "sendingHours.start"], ErrorFields(problem));
    }

    [Theory]
    [InlineData("Eastern Standard Time")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("")]
    public async Task A_tenant_time_zone_must_be_an_iana_id(string timeZone)
    {
        var problem = await Json(await Http.PutAsJsonAsync("/api/v1/tenants/tz-a", new { displayName = "Uni", timeZone }), HttpStatusCode.BadRequest);
        Assert.Equal(["timeZone"], ErrorFields(problem));
        Assert.Null(await App.Campaigns.GetTenantAsync(TenantId.Parse("tz-a")));
        await Json(await Http.PutAsJsonAsync("/api/v1/tenants/tz-a", new { displayName = "Uni", timeZone = "America/Indiana/Indianapolis" }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_wrong_typed_campaign_field_does_not_hide_an_unknown_script_or_audience()
    {
        await CreateTenant("shape-a");
        var problem = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/shape-a/campaigns", new
        {
            name = "Weekly",
            description = "",
            scriptId = "scr_missing",
            channel = "sms",
            recipients = new { audienceId = "aud_missing" },
            schedule = new { kind = "recurring", frequency = "weekly", startAt = "2030-03-04T09:00:00-05:00", timeZone = "America/New_York", allowRepeatRecipients = "no" },
        }), HttpStatusCode.BadRequest);
        Assert.Equal(["recipients.audienceId", "schedule.allowRepeatRecipients", "scriptId"], ErrorFields(problem));
        Assert.Equal(0, (await Json(await Http.GetAsync("/api/v1/tenants/shape-a/campaigns"), HttpStatusCode.OK)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_missing_part_of_a_campaign_is_reported_once_as_read_beside_the_other_problems()
    {
        await CreateTenant("shape-b");
        var problem = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/shape-b/campaigns", new
        {
            description = "",
            scriptId = "scr_missing",
            channel = "fax",
            recipients = new { importId = "imp_missing" },
            schedule = new { kind = "once", sendAt = "tomorrow" },
            durationHours = 0,
        }), HttpStatusCode.BadRequest);
        Assert.Equal(["channel", "durationHours", "name", "recipients.importId", "schedule.sendAt", "scriptId"], ErrorFields(problem));
        Assert.Equal(["This field is required."], problem.GetProperty("errors").GetProperty("name").EnumerateArray().Select(m => m.GetString()));
        Assert.Single(problem.GetProperty("errors").GetProperty("channel").EnumerateArray());
    }

    [Fact]
    public async Task A_recurring_schedule_with_an_unreadable_frequency_still_has_its_zone_and_rule_checked()
    {
        await CreateTenant("shape-c");
        var problem = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/shape-c/campaigns", new
        {
            name = "Weekly",
            description = "",
            scriptId = "scr_missing",
            channel = "sms",
            recipients = new { importId = "imp_missing" },
            schedule = new { kind = "recurring", frequency = "yearly", rrule = "FREQ=DAILY;INTERVAL=abc", timeZone = "Mars/Base" },
        }), HttpStatusCode.BadRequest);
        Assert.Equal(["recipients.importId", "schedule.frequency", "schedule.rrule", "schedule.startAt", "schedule.timeZone", "scriptId"], ErrorFields(problem));
    }

    [Fact]
    public async Task An_edited_schedule_with_an_unreadable_frequency_still_has_its_zone_checked()
    {
        await CreateTenant("shape-d");
        var importId = await Import("shape-d", "phone,first_name,last_name\n2025550143,Ada,Lovelace\n");
        var scriptId = await Script("shape-d", "Nudge", new { id = "m", kind = "message", text = "Hi" });
        var scheduleId = await CreateCampaign("shape-d", "Daily", scriptId, importId, new { kind = "recurring", frequency = "daily", startAt = "2030-03-04T09:00:00-05:00", timeZone = "America/New_York" });

        var problem = await Json(await Http.PutAsJsonAsync($"/api/v1/tenants/shape-d/campaigns/{scheduleId}/schedule", new { frequency = "yearly", startAt = "2030-03-04T09:00:00-05:00", timeZone = "Mars/Base" }), HttpStatusCode.BadRequest);
        Assert.Equal(["frequency", "timeZone"], ErrorFields(problem));
    }

    [Fact]
    public async Task A_wrong_typed_tenant_field_does_not_hide_an_invalid_time_zone()
    {
        var problem = await Json(await Http.PutAsJsonAsync("/api/v1/tenants/shape-e", new { displayName = "Uni", timeZone = "Mars/Base", openBot = "yes", sendingHours = new { start = "25:00", end = 21 } }), HttpStatusCode.BadRequest);
        Assert.Equal(["openBot", "sendingHours.end", "sendingHours.start", "timeZone"], ErrorFields(problem));
        Assert.Null(await App.Campaigns.GetTenantAsync(TenantId.Parse("shape-e")));
    }

    [Fact]
    public async Task A_wrong_typed_channel_setting_does_not_hide_an_unknown_provider()
    {
        await CreateTenant("shape-f");
        var problem = await Json(await Http.PutAsJsonAsync("/api/v1/tenants/shape-f/channels/fax", new { provider = "nope", settings = new { from = 12 } }), HttpStatusCode.BadRequest);
        Assert.Equal(["channel", "provider", "settings.from"], ErrorFields(problem));
    }

    [Fact]
    public async Task A_dev_inbound_message_without_text_still_has_its_sender_checked()
    {
        await CreateTenant("shape-g");
        var problem = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/shape-g/dev/inbound", new { channel = "sms", from = "not a phone" }), HttpStatusCode.BadRequest);
        Assert.Equal(["from", "text"], ErrorFields(problem));
        Assert.Equal(["This field is required."], problem.GetProperty("errors").GetProperty("text").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task Tenant_texts_are_limited_in_length_and_control_characters_naming_each_field()
    {
        var problem = await Json(await Http.PutAsJsonAsync("/api/v1/tenants/len-a", new { displayName = new string('U', 201), timeZone = "America/New_York", helpText = new string('h', 1601) }), HttpStatusCode.BadRequest);
        Assert.Equal(["displayName", "helpText"], ErrorFields(problem));
        Assert.Null(await App.Campaigns.GetTenantAsync(TenantId.Parse("len-a")));

        var controls = await Json(await Http.PutAsJsonAsync("/api/v1/tenants/len-a", new { displayName = "Uni\u0000", timeZone = "America/New_York", helpText = "Reply STOP\u001b to stop" }), HttpStatusCode.BadRequest);
        Assert.Equal(["displayName", "helpText"], ErrorFields(controls));

        // At the limits, and a help text on several lines, are fine.
        await Json(await Http.PutAsJsonAsync("/api/v1/tenants/len-a", new { displayName = new string('U', 200), timeZone = "America/New_York", helpText = "Line one\nLine two" + new string('h', 1582) }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Channel_setting_keys_and_values_are_limited_naming_each_setting()
    {
        await CreateTenant("len-b");
        var settings = new Dictionary<string, string> { ["from"] = new string('1', 4001), [new string('k', 201)] = "x", ["token"] = "abc\u0000" };
        var problem = await Json(await Http.PutAsJsonAsync("/api/v1/tenants/len-b/channels/sms", new { provider = "dev", settings }), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("settings.from", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("settings.token", out _), problem.ToString());
        Assert.Contains(errors.GetProperty("settings").EnumerateArray(), m => m.GetString()!.Contains("at most 200 characters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_api_key_name_is_limited_in_length()
    {
        await CreateTenant("len-c");
        var problem = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/len-c/keys", new { name = new string('n', 201) }), HttpStatusCode.BadRequest);
        Assert.Equal(["name"], ErrorFields(problem));
        Assert.Equal(0, (await Json(await Http.GetAsync("/api/v1/tenants/len-c/keys"), HttpStatusCode.OK)).GetProperty("items").GetArrayLength());
        await Json(await Http.PostAsJsonAsync("/api/v1/tenants/len-c/keys", new { name = new string('n', 200) }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task An_audience_rule_value_with_a_nul_is_refused()
    {
        await CreateTenant("len-d");
        var problem = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/len-d/audiences", new { name = "Nul", rules = new[] { new { field = "firstName", op = "is", value = "Ada\u0000" } } }), HttpStatusCode.BadRequest);
        Assert.Equal(["rules[0].value"], ErrorFields(problem));
    }
}
