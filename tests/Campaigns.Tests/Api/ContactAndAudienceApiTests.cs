using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Channels;
using Campaigns.Channels.Dev;
using Campaigns.Contacts;
using Campaigns.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Tests.Api;

/// <summary>Black-box tests of the audience routes of API.md and the contact routes of docs/contacts.md.</summary>
public sealed class ContactAndAudienceApiTests : ApiTestHost
{
    private const string Students = """
        phone,first_name,last_name,email,cohort
        2025550101,Ada,Lovelace,ada@example.edu,2027
        2025550102,Grace,Hopper,grace@example.edu,2026
        2025550103,Alan,Turing,,2027
        2025550104,Edsger,Dijkstra,edsger@example.edu,2027
        """;

    // Sending hours open all day: these tests run on the real clock at any hour.
    private async Task<string> Tenant(string tenant, string csv = Students, string? label = null)
    {
        await CreateTenant(tenant, allDay: true);
        return await Import(tenant, csv, label);
    }

    private Task<HttpResponseMessage> PostAudience(string tenant, object body) => Http.PostAsJsonAsync($"/api/v1/tenants/{tenant}/audiences", body);

    private async Task<string> Audience(string tenant, string name, params object[] rules) =>
        (await Json(await PostAudience(tenant, new { name, rules }), HttpStatusCode.Created)).GetProperty("audienceId").GetString()!;

    private static string[] FirstNames(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("firstName").GetString()!)];

    [Fact]
    public async Task An_audience_is_created_and_its_members_listed_page_by_page()
    {
        await Tenant("aud-a");
        var response = await PostAudience("aud-a", new { name = "2027 with email", rules = new object[] { new { field = "cohort", op = "is", value = 2027 }, new { field = "email", op = "exists" } } });
        var created = await Json(response, HttpStatusCode.Created);
        var audienceId = created.GetProperty("audienceId").GetString()!;
        Assert.EndsWith($"/audiences/{audienceId}", response.Headers.Location!.ToString(), StringComparison.Ordinal);

        var all = await Json(await Http.GetAsync($"/api/v1/tenants/aud-a/audiences/{audienceId}/members"), HttpStatusCode.OK);
        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.Equal(["Ada", "Edsger"], FirstNames(all).Order(StringComparer.Ordinal));
        var ada = all.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("firstName").GetString() == "Ada");
        Assert.Equal(("Lovelace", "+12025550101", "ada@example.edu", "optedIn"),
            (ada.GetProperty("lastName").GetString(), ada.GetProperty("phone").GetString(), ada.GetProperty("email").GetString(), ada.GetProperty("channels").GetProperty("sms").GetString()));
        Assert.StartsWith("ct_", ada.GetProperty("contactId").GetString(), StringComparison.Ordinal);

        var first = await Json(await Http.GetAsync($"/api/v1/tenants/aud-a/audiences/{audienceId}/members?page=1&pageSize=1"), HttpStatusCode.OK);
        var second = await Json(await Http.GetAsync($"/api/v1/tenants/aud-a/audiences/{audienceId}/members?page=2&pageSize=1"), HttpStatusCode.OK);
        var third = await Json(await Http.GetAsync($"/api/v1/tenants/aud-a/audiences/{audienceId}/members?page=3&pageSize=1"), HttpStatusCode.OK);
        Assert.Equal(FirstNames(all), FirstNames(first).Concat(FirstNames(second)));
        Assert.Equal((2, 0), (third.GetProperty("total").GetInt32(), third.GetProperty("items").GetArrayLength()));

        var read = await Json(await Http.GetAsync($"/api/v1/tenants/aud-a/audiences/{audienceId}"), HttpStatusCode.OK);
        Assert.Equal("2027 with email", read.GetProperty("name").GetString());
        Assert.Equal(["cohort is 2027", "email exists "], read.GetProperty("rules").EnumerateArray()
            .Select(r => $"{r.GetProperty("field").GetString()} {r.GetProperty("op").GetString()} {(r.TryGetProperty("value", out var v) ? v.GetString() : null)}"));
        var list = await Json(await Http.GetAsync("/api/v1/tenants/aud-a/audiences"), HttpStatusCode.OK);
        Assert.Equal([audienceId], list.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("audienceId").GetString()));
    }

    [Fact]
    public async Task A_bad_audience_names_every_problem_and_creates_nothing()
    {
        await Tenant("aud-b");
        var problem = await Json(await PostAudience("aud-b", new
        {
            name = "",
            rules = new object[]
            {
                new { field = "cohort", op = "is", value = "2027" },
                new { field = "cohort", op = "equals", value = "2027" },
                new { field = 7, op = "exists" },
                new { field = "label", op = "contains" },
                new { field = "phone", op = "is", value = "not a phone" },
            },
        }), HttpStatusCode.BadRequest);

        Assert.Equal(
            ["name", "rules[1].op", "rules[2].field", "rules[3].value", "rules[4].value"],
            problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(0, (await Json(await Http.GetAsync("/api/v1/tenants/aud-b/audiences"), HttpStatusCode.OK)).GetProperty("items").GetArrayLength());

        await Audience("aud-b", "Everyone");
        var duplicate = await Json(await PostAudience("aud-b", new { name = "EVERYONE", rules = Array.Empty<object>() }), HttpStatusCode.BadRequest);
        Assert.Equal(["An audience named 'EVERYONE' already exists."], duplicate.GetProperty("errors").GetProperty("name").EnumerateArray().Select(e => e.GetString()));
        var noRules = await Json(await PostAudience("aud-b", new { name = "No rules" }), HttpStatusCode.BadRequest);
        Assert.True(noRules.GetProperty("errors").TryGetProperty("rules", out _));
    }

    [Fact]
    public async Task Members_paging_is_validated_and_unknown_or_foreign_audiences_are_not_found()
    {
        await Tenant("aud-c");
        await Tenant("aud-d");
        var audienceId = await Audience("aud-c", "Everyone");

        var bad = await Json(await Http.GetAsync($"/api/v1/tenants/aud-c/audiences/{audienceId}/members?page=0&pageSize=501"), HttpStatusCode.BadRequest);
        Assert.Equal(["page", "pageSize"], bad.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/v1/tenants/aud-c/audiences/aud_missing/members")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/tenants/aud-d/audiences/{audienceId}/members")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/tenants/aud-d/audiences/{audienceId}")).StatusCode);
        Assert.Equal(4, (await Json(await Http.GetAsync($"/api/v1/tenants/aud-c/audiences/{audienceId}/members"), HttpStatusCode.OK)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_campaign_sent_to_an_audience_reaches_its_members_and_an_unknown_audience_is_refused()
    {
        await Tenant("aud-e");
        await Tenant("aud-f");
        var audienceId = await Audience("aud-e", "Class of 2027", new { field = "cohort", op = "is", value = "2027" });
        var scriptId = await Script("aud-e", "Hello", new { id = "hi", kind = "message", text = "Hi {{firstName}}" });

        object Body(string audience) => new { name = "To 2027", description = "", scriptId, channel = "sms", recipients = new { audienceId = audience }, schedule = new { kind = "now" } };
        var campaignId = (await Json(await Http.PostAsJsonAsync("/api/v1/tenants/aud-e/campaigns", Body(audienceId)), HttpStatusCode.Created)).GetProperty("campaignId").GetString()!;

        var outbox = App.Services.GetRequiredService<DevOutbox>();
        await outbox.WaitAsync(m => m.Count(x => x.CampaignId == campaignId) >= 3, Timeout);
        Assert.Equal(["Hi Ada", "Hi Alan", "Hi Edsger"], outbox.Messages.Where(m => m.CampaignId == campaignId).Select(m => m.Text).Order(StringComparer.Ordinal));
        var detail = await Json(await Http.GetAsync($"/api/v1/tenants/aud-e/campaigns/{campaignId}"), HttpStatusCode.OK);
        Assert.Equal(audienceId, detail.GetProperty("recipients").GetProperty("audienceId").GetString());

        var unknown = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/aud-e/campaigns", Body("aud_missing")), HttpStatusCode.BadRequest);
        Assert.Equal(["recipients.audienceId"], unknown.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        var foreign = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/aud-f/campaigns", Body(audienceId)), HttpStatusCode.BadRequest);
        Assert.True(foreign.GetProperty("errors").TryGetProperty("recipients.audienceId", out _));
    }

    [Fact]
    public async Task A_contact_is_archived_and_brought_back_and_shows_its_channel_state()
    {
        var importId = await Tenant("aud-g", label: "fall 2026");
        await Tenant("aud-h");
        var members = await Json(await Http.GetAsync($"/api/v1/tenants/aud-g/audiences/{await Audience("aud-g", "Ada", new { field = "firstName", op = "is", value = "ada" })}/members"), HttpStatusCode.OK);
        var contactId = members.GetProperty("items")[0].GetProperty("contactId").GetString()!;

        var archived = await Json(await Http.PostAsync($"/api/v1/tenants/aud-g/contacts/{contactId}/archive", null), HttpStatusCode.OK);
        Assert.True(archived.GetProperty("archived").GetBoolean());
        Assert.True((await Json(await Http.GetAsync($"/api/v1/tenants/aud-g/contacts/{contactId}"), HttpStatusCode.OK)).GetProperty("archived").GetBoolean());
        var back = await Json(await Http.PostAsync($"/api/v1/tenants/aud-g/contacts/{contactId}/unarchive", null), HttpStatusCode.OK);
        Assert.False(back.GetProperty("archived").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync($"/api/v1/tenants/aud-h/contacts/{contactId}/archive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync("/api/v1/tenants/aud-g/contacts/ct_missing/archive", null)).StatusCode);

        // A pause shows with its end; once the end has passed the channel reads opted in again.
        var store = App.Services.GetRequiredService<ICampaignStore>();
        var until = DateTimeOffset.UtcNow.AddDays(14);
        await store.SetChannelStatusAsync(global::Campaigns.TenantId.Parse("aud-g"), contactId, ChannelKind.Sms, ChannelStatus.Paused, until);
        await store.SetChannelStatusAsync(global::Campaigns.TenantId.Parse("aud-g"), contactId, ChannelKind.Email, ChannelStatus.Paused, DateTimeOffset.UtcNow.AddMinutes(-1));
        var contact = await Json(await Http.GetAsync($"/api/v1/tenants/aud-g/contacts/{contactId}"), HttpStatusCode.OK);
        Assert.Equal(("paused", "optedIn", "optedIn"),
            (contact.GetProperty("channels").GetProperty("sms").GetString(), contact.GetProperty("channels").GetProperty("email").GetString(), contact.GetProperty("channels").GetProperty("webchat").GetString()));
        Assert.Equal(until.ToUnixTimeMilliseconds(), contact.GetProperty("pausedUntil").GetProperty("sms").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.False(contact.GetProperty("pausedUntil").TryGetProperty("email", out _));
        Assert.Equal(["fall 2026"], contact.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));

        var import = await Json(await Http.GetAsync($"/api/v1/tenants/aud-g/contacts/imports/{importId}"), HttpStatusCode.OK);
        Assert.Equal(("fall 2026", 4, 0, 0),
            (import.GetProperty("label").GetString(), import.GetProperty("created").GetInt32(), import.GetProperty("updated").GetInt32(), import.GetProperty("skipped").GetInt32()));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/tenants/aud-h/contacts/imports/{importId}")).StatusCode);
    }
}
