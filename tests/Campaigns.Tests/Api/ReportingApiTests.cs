using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Channels.Dev;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Tests.Api;

/// <summary>Black-box tests of the reporting routes of API.md through the admin sample.</summary>
public sealed class ReportingApiTests : ApiTestHost
{
    /// <summary>A tenant in New York with three contacts and a campaign sent now to them; returns the campaign id.</summary>
    private async Task<string> SentCampaignAsync(string tenant)
    {
        await CreateTenant(tenant, allDay: true);
        var importId = await Import(tenant, "phone,first_name,last_name\n2025550143,Ada,Lovelace\n2025550178,Grace,Hopper\n2025550121,@Alan,Turing\n");
        var scriptId = await Script(tenant, "Check-in", new { id = "ask", kind = "yesNo", text = "All good?" });
        var campaignId = await CreateCampaign(tenant, "Welcome", scriptId, importId, new { kind = "now" }, "First week");
        var outbox = App.Services.GetRequiredService<DevOutbox>();
        await outbox.WaitAsync(m => m.Count(x => x.CampaignId == campaignId) >= 3, Timeout);

        // Reading the campaign waits for its page to finish, so the facts are final from here on.
        var campaign = await Json(await Http.GetAsync($"/api/v1/tenants/{tenant}/campaigns/{campaignId}"), HttpStatusCode.OK);
        Assert.Equal("sent", campaign.GetProperty("status").GetString());
        return campaignId;
    }

    [Fact]
    public async Task Insights_use_the_contract_field_names_and_count_a_carrier_failure_as_sent()
    {
        var campaignId = await SentCampaignAsync("rep-a");
        var failed = App.Services.GetRequiredService<DevOutbox>().For(TenantId.Parse("rep-a"), "+12025550178").Single();
        await Json(await Http.PostAsJsonAsync("/api/v1/tenants/rep-a/dev/status", new { messageId = failed.MessageId, status = "failed", reason = "30003 unreachable" }), HttpStatusCode.OK);

        var insights = await Json(await Http.GetAsync($"/api/v1/tenants/rep-a/campaigns/{campaignId}/insights"), HttpStatusCode.OK);

        string[] contract = ["campaignId", "type", "open", "trigger", "durationHours", "recipients", "sent", "delivered", "failed", "skipped", "responded", "engagement", "optedOut", "paused", "invalidResponses", "failures", "questions"];
        Assert.All(contract, field => Assert.True(insights.TryGetProperty(field, out _), $"insights lack '{field}'"));
        Assert.Equal(campaignId, insights.GetProperty("campaignId").GetString());
        Assert.Equal("interactive", insights.GetProperty("type").GetString());
        Assert.True(insights.GetProperty("open").GetBoolean());
        Assert.Equal(72, insights.GetProperty("durationHours").GetInt32());
        Assert.True(insights.GetProperty("recipients").TryGetProperty("importId", out _));
        Assert.Equal((3, 1, 0, 0), (insights.GetProperty("sent").GetInt32(), insights.GetProperty("failed").GetInt32(), insights.GetProperty("skipped").GetInt32(), insights.GetProperty("responded").GetInt32()));
        Assert.Equal(0, insights.GetProperty("engagement").GetDouble());
        var failure = Assert.Single(insights.GetProperty("failures").EnumerateArray());
        Assert.Equal(("30003 unreachable", 1), (failure.GetProperty("reason").GetString(), failure.GetProperty("count").GetInt32()));
        var question = Assert.Single(insights.GetProperty("questions").EnumerateArray());
        Assert.Equal(("ask", "All good?", 0), (question.GetProperty("stepId").GetString(), question.GetProperty("text").GetString(), question.GetProperty("invalid").GetInt32()));
        Assert.Equal(["yes:0", "no:0"], question.GetProperty("answers").EnumerateArray().Select(a => $"{a.GetProperty("answer").GetString()}:{a.GetProperty("count").GetInt32()}"));

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/tenants/rep-a/campaigns/cmp_unknown/insights")).StatusCode);
        var audience = await Json(await Http.GetAsync($"/api/v1/tenants/rep-a/campaigns/{campaignId}/insights?audienceId=aud_nope"), HttpStatusCode.BadRequest);
        Assert.True(audience.GetProperty("errors").TryGetProperty("audienceId", out _));

        // Limited to an audience's members: only Grace, whose message the carrier failed.
        var graces = (await Json(await Http.PostAsJsonAsync("/api/v1/tenants/rep-a/audiences", new { name = "Graces", rules = new[] { new { field = "firstName", op = "is", value = "grace" } } }), HttpStatusCode.Created))
            .GetProperty("audienceId").GetString();
        var limited = await Json(await Http.GetAsync($"/api/v1/tenants/rep-a/campaigns/{campaignId}/insights?audienceId={graces}"), HttpStatusCode.OK);
        Assert.Equal((1, 1, graces), (limited.GetProperty("sent").GetInt32(), limited.GetProperty("failed").GetInt32(), limited.GetProperty("audienceId").GetString()));
        var csv = await (await Http.GetAsync($"/api/v1/tenants/rep-a/campaigns/{campaignId}/export.csv?audienceId={graces}")).Content.ReadAsStringAsync();
        Assert.Equal(3, csv.Split("\r\n").Length);
        Assert.Contains(",Grace,Hopper,+12025550178,sms,failed,30003 unreachable,", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_report_counts_once_and_only_for_the_tenant_that_sent_the_message()
    {
        var campaignId = await SentCampaignAsync("rep-own");
        await CreateTenant("rep-thief", allDay: true);
        var ada = App.Services.GetRequiredService<DevOutbox>().For(TenantId.Parse("rep-own"), "+12025550143").Single();

        async Task<bool> Report(string tenant, string messageId) =>
            (await Json(await Http.PostAsJsonAsync($"/api/v1/tenants/{tenant}/dev/status", new { messageId, status = "delivered" }), HttpStatusCode.OK))
                .GetProperty("recorded").GetBoolean();

        // Another tenant naming the message, an unknown id, then the owner twice: one delivery is counted.
        bool[] recorded = [await Report("rep-thief", ada.MessageId), await Report("rep-own", "dev-unknown"), await Report("rep-own", ada.MessageId), await Report("rep-own", ada.MessageId)];
        Assert.Equal([false, false, true, false], recorded);
        var insights = await Json(await Http.GetAsync($"/api/v1/tenants/rep-own/campaigns/{campaignId}/insights"), HttpStatusCode.OK);
        Assert.Equal((3, 1), (insights.GetProperty("sent").GetInt32(), insights.GetProperty("delivered").GetInt32()));
    }

    [Fact]
    public async Task The_export_streams_csv_with_the_contract_columns_and_a_row_per_contact()
    {
        var campaignId = await SentCampaignAsync("rep-b");

        var response = await Http.GetAsync($"/api/v1/tenants/rep-b/campaigns/{campaignId}/export.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{campaignId}.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n");

        Assert.Equal("contact_id,first_name,last_name,address,channel,status,failure_reason,sent_at,delivered_at,responded,first_response_at,opted_out,paused,q_ask", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Equal(string.Empty, lines[4]);
        Assert.Equal(
            ["'@Alan,Turing,+12025550121,sms,sent", "Ada,Lovelace,+12025550143,sms,sent", "Grace,Hopper,+12025550178,sms,sent"],
            lines[1..4].Select(l => string.Join(',', l.Split(',')[1..6])).Order(StringComparer.Ordinal));

        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/tenants/rep-b/campaigns/cmp_unknown/export.csv")).StatusCode);
        await Json(await Http.PutAsJsonAsync("/api/v1/tenants/rep-b2", new { displayName = "Other", timeZone = "Etc/UTC" }), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/tenants/rep-b2/campaigns/{campaignId}/export.csv")).StatusCode);
    }

    [Fact]
    public async Task Recompute_rebuild_date_filters_and_introductory_reports_answer_over_http()
    {
        var campaignId = await SentCampaignAsync("rep-c");

        var row = await Json(await Http.PostAsync($"/api/v1/tenants/rep-c/campaigns/{campaignId}/recompute", null), HttpStatusCode.OK);
        Assert.Equal((campaignId, 3, "sent"), (row.GetProperty("campaignId").GetString(), row.GetProperty("sent").GetInt32(), row.GetProperty("status").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync("/api/v1/tenants/rep-c/campaigns/cmp_unknown/recompute", null)).StatusCode);
        var rebuilt = await Json(await Http.PostAsync("/api/v1/tenants/rep-c/reports/rebuild", null), HttpStatusCode.OK);
        Assert.Equal((1, 0), (rebuilt.GetProperty("rows").GetInt32(), rebuilt.GetProperty("changed").GetInt32()));

        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var dated = await Json(await Http.GetAsync($"/api/v1/tenants/rep-c/campaigns?lastSentFrom={today}&lastSentTo={today}"), HttpStatusCode.OK);
        Assert.Equal(1, dated.GetProperty("total").GetInt32());
        Assert.False(dated.GetProperty("showIntroductory").GetBoolean());
        var past = await Json(await Http.GetAsync("/api/v1/tenants/rep-c/campaigns?lastSentTo=2020-01-01"), HttpStatusCode.OK);
        Assert.Equal(0, past.GetProperty("counts").GetProperty("all").GetInt32());

        var intro = await Json(await Http.GetAsync("/api/v1/tenants/rep-c/reports/introductory?from=2026-01-01&to=2026-12-31"), HttpStatusCode.OK);
        Assert.Empty(intro.GetProperty("items").EnumerateArray());
        var bad = await Json(await Http.GetAsync("/api/v1/tenants/rep-c/reports/introductory?from=yesterday&to=2026-13-01"), HttpStatusCode.BadRequest);
        Assert.Equal(["from", "to"], bad.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var backwards = await Json(await Http.GetAsync("/api/v1/tenants/rep-c/reports/introductory?from=2026-02-02&to=2026-02-01"), HttpStatusCode.BadRequest);
        Assert.True(backwards.GetProperty("errors").TryGetProperty("to", out _));
    }

    [Fact]
    public async Task Web_chat_and_open_bot_intros_have_aggregate_reports_insights_and_an_export()
    {
        await CreateTenant("rep-d");
        var scriptId = (await Json(await Http.PostAsJsonAsync("/api/v1/tenants/rep-d/scripts", new
        {
            name = "Hello",
            description = "Greets newcomers",
            steps = new object[] { new { id = "student", kind = "yesNo", text = "Hi! Are you a student here?" } },
        }), HttpStatusCode.Created)).GetProperty("scriptId").GetString()!;
        await Json(await Http.PutAsJsonAsync("/api/v1/tenants/rep-d", new
        {
            displayName = "Uni",
            timeZone = "America/New_York",
            openBot = true,
            introScripts = new { webchat = scriptId, openBotSms = scriptId },
        }), HttpStatusCode.OK);

        // Two web-chat visitors (one answers) and one unknown number that texts in.
        var first = (await Json(await Http.PostAsync("/api/v1/tenants/rep-d/dev/webchat/sessions", null), HttpStatusCode.Created)).GetProperty("sessionId").GetString();
        await Json(await Http.PostAsync("/api/v1/tenants/rep-d/dev/webchat/sessions", null), HttpStatusCode.Created);
        await Json(await Http.PostAsJsonAsync("/api/v1/tenants/rep-d/dev/inbound", new { channel = "webchat", from = first, text = "yes" }), HttpStatusCode.OK);
        await Json(await Http.PostAsJsonAsync("/api/v1/tenants/rep-d/dev/inbound", new { channel = "sms", from = "+12025550199", text = "hello?" }), HttpStatusCode.OK);

        // The carrier delivers the introduction the unknown number got: the report names the intro's message.
        var introduction = App.Services.GetRequiredService<DevOutbox>().For(TenantId.Parse("rep-d"), "+12025550199").Single();
        Assert.True((await Json(await Http.PostAsJsonAsync("/api/v1/tenants/rep-d/dev/status", new { messageId = introduction.MessageId, status = "delivered" }), HttpStatusCode.OK))
            .GetProperty("recorded").GetBoolean());
        var delivered = await Json(await Http.GetAsync($"/api/v1/tenants/rep-d/campaigns/intro-openBotSms-{scriptId}/insights"), HttpStatusCode.OK);
        Assert.Equal((1, 1), (delivered.GetProperty("sent").GetInt32(), delivered.GetProperty("delivered").GetInt32()));

        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var report = await Json(await Http.GetAsync($"/api/v1/tenants/rep-d/reports/introductory?from={today}&to={today}"), HttpStatusCode.OK);
        Assert.Equal(
            [$"webchat {scriptId} 2 1 0.5", $"openBotSms {scriptId} 1 0 0"],
            report.GetProperty("items").EnumerateArray().Select(i =>
                $"{i.GetProperty("trigger").GetString()} {i.GetProperty("scriptId").GetString()} {i.GetProperty("introduced").GetInt32()} {i.GetProperty("responded").GetInt32()} {i.GetProperty("engagement").GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        var before = await Json(await Http.GetAsync("/api/v1/tenants/rep-d/reports/introductory?to=2020-01-01"), HttpStatusCode.OK);
        Assert.All(before.GetProperty("items").EnumerateArray(), i => Assert.Equal(0, i.GetProperty("introduced").GetInt32()));

        var insights = await Json(await Http.GetAsync($"/api/v1/tenants/rep-d/campaigns/intro-webchat-{scriptId}/insights"), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, insights.GetProperty("trigger").ValueKind);
        Assert.Equal((2, 1, 0.5), (insights.GetProperty("sent").GetInt32(), insights.GetProperty("responded").GetInt32(), insights.GetProperty("engagement").GetDouble()));
        Assert.Equal("webchat", insights.GetProperty("recipients").GetProperty("introductory").GetString());
        var answers = insights.GetProperty("questions")[0].GetProperty("answers").EnumerateArray().Select(a => $"{a.GetProperty("answer").GetString()}:{a.GetProperty("count").GetInt32()}");
        Assert.Equal(["yes:1", "no:0"], answers);

        var csv = await (await Http.GetAsync($"/api/v1/tenants/rep-d/campaigns/intro-openBotSms-{scriptId}/export.csv")).Content.ReadAsStringAsync();
        var lines = csv.Split("\r\n");
        Assert.EndsWith(",q_student", lines[0], StringComparison.Ordinal);
        Assert.Contains(",+12025550199,sms,delivered,", lines[1], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/tenants/rep-d/campaigns/intro-webchat-scr_none/insights")).StatusCode);
    }
}
