using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Campaigns.Channels.Dev;
using Campaigns.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Tests.Api;

/// <summary>Black-box tests of API.md through the admin sample.</summary>
public sealed class ApiContractTests : ApiTestHost
{

    private Task<string> CheckIn(string tenant) => Script(tenant, "Check-in", new { id = "ask", kind = "yesNo", text = "Hi {{firstName}}, how is {{field.major}}?" });

    [Fact]
    public async Task Health_answers_once_the_silo_and_store_are_ready()
    {
        var response = await Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_campaign_sent_now_reaches_each_contact_once_with_merge_fields_filled()
    {
        await CreateTenant("uni-a", allDay: true);
        var importId = await Import("uni-a", ThreeContacts);
        var scriptId = await CheckIn("uni-a");
        var campaignId = await CreateCampaign("uni-a", "Welcome", scriptId, importId, new { kind = "now" });

        var outbox = App.Services.GetRequiredService<DevOutbox>();
        await outbox.WaitAsync(m => m.Count(x => x.CampaignId == campaignId) >= 3, Timeout);

        var items = (await Json(await Http.GetAsync("/api/v1/tenants/uni-a/dev/outbox"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            ["+12025550121 Hi Alan, how is Philosophy?", "+12025550143 Hi Ada, how is Maths?", "+12025550178 Hi Grace, how is CS?"],
            items.Select(i => $"{i.GetProperty("address").GetString()} {i.GetProperty("text").GetString()}").Order(StringComparer.Ordinal));

        var list = await Json(await Http.GetAsync("/api/v1/tenants/uni-a/campaigns"), HttpStatusCode.OK);
        var row = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(campaignId, row.GetProperty("campaignId").GetString());
        Assert.Equal("interactive", row.GetProperty("type").GetString());
        Assert.Equal(1, list.GetProperty("counts").GetProperty("all").GetInt32());
    }

    [Fact]
    public async Task A_bad_csv_is_refused_whole_naming_every_missing_column()
    {
        await CreateTenant("uni-b", allDay: true);
        var response = await Http.PostAsync("/api/v1/tenants/uni-b/contacts/imports", new StringContent("email,first\nx@y.z,A\n", Encoding.UTF8, "text/csv"));
        var problem = await Json(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var messages = problem.GetProperty("errors").GetProperty("header").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(3, messages.Count);
        Assert.All(["phone", "first_name", "last_name"], c => Assert.Contains(messages, m => m!.Contains($"'{c}'", StringComparison.Ordinal)));

        var empty = await Http.PostAsync("/api/v1/tenants/uni-b/contacts/imports", new StringContent(string.Empty, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task Rows_with_errors_are_reported_by_line_and_column_and_good_rows_land()
    {
        await CreateTenant("uni-c", allDay: true);
        const string csv = "phone,first_name,last_name,email\n+12025550143,Ada,L,ada@example.edu\nnot-a-phone,Bad,Phone,\n+12025550178,Grace,H,not-an-email\n+12025550143,Ada,Again,\n";
        var result = await Json(await Http.PostAsync("/api/v1/tenants/uni-c/contacts/imports", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.OK);
        Assert.Equal(1, result.GetProperty("created").GetInt32());
        Assert.Equal(3, result.GetProperty("skipped").GetInt32());
        var errors = result.GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("line").GetInt32()}:{(e.GetProperty("column").ValueKind == JsonValueKind.Null ? "-" : e.GetProperty("column").GetString())}")
            .ToList();
        Assert.Equal(["3:phone", "4:email", "5:-"], errors);
    }

    [Fact]
    public async Task A_bad_script_is_refused_naming_every_problem()
    {
        await CreateTenant("uni-d", allDay: true);
        var response = await Http.PostAsJsonAsync("/api/v1/tenants/uni-d/scripts", new
        {
            name = "",
            steps = new object[]
            {
                new { id = "a", kind = "shout", text = "Hi {{nickname}}" },
                new { id = "a", kind = "multipleChoice", text = "", choices = new[] { "only" } },
                new { id = "c", kind = "yesNo", text = "Ok?", next = new Dictionary<string, string> { ["yes"] = "nowhere" } },
            },
        });
        var problem = await Json(response, HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["name", "steps[0].kind", "steps[0].text", "steps[1].choices", "steps[1].id", "steps[1].text", "steps[2].next"], fields);
        var scripts = await Json(await Http.GetAsync("/api/v1/tenants/uni-d/scripts"), HttpStatusCode.OK);
        Assert.Empty(scripts.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_bad_campaign_names_every_problem_and_creates_nothing()
    {
        await CreateTenant("uni-e", allDay: true);
        var response = await Http.PostAsJsonAsync("/api/v1/tenants/uni-e/campaigns", new
        {
            name = "X",
            scriptId = "scr_missing",
            channel = "fax",
            recipients = new { importId = "imp_missing" },
            schedule = new { kind = "once", sendAt = "2020-01-01T00:00:00Z" },
        });
        var problem = await Json(response, HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Contains("channel", fields);

        var second = await Json(await PostCampaign("uni-e", "X", "scr_missing", "imp_missing", new { kind = "once", sendAt = "2020-01-01T00:00:00Z" }), HttpStatusCode.BadRequest);
        Assert.Equal(
            ["recipients.importId", "schedule.sendAt", "scriptId"],
            second.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var list = await Json(await Http.GetAsync("/api/v1/tenants/uni-e/campaigns"), HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_upcoming_send_can_be_cancelled_twice_but_a_started_one_conflicts()
    {
        await CreateTenant("uni-f", allDay: true);
        var importId = await Import("uni-f", ThreeContacts);
        var scriptId = await CheckIn("uni-f");
        var laterId = await CreateCampaign("uni-f", "Later", scriptId, importId, new { kind = "once", sendAt = DateTimeOffset.UtcNow.AddDays(2) });
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/v1/tenants/uni-f/campaigns/{laterId}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.PostAsync($"/api/v1/tenants/uni-f/campaigns/{laterId}/cancel", null)).StatusCode);
        var detail = await Json(await Http.GetAsync($"/api/v1/tenants/uni-f/campaigns/{laterId}"), HttpStatusCode.OK);
        Assert.Equal("cancelled", detail.GetProperty("status").GetString());
        var list = await Json(await Http.GetAsync("/api/v1/tenants/uni-f/campaigns"), HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("counts").GetProperty("all").GetInt32());

        var nowId = await CreateCampaign("uni-f", "Now", scriptId, importId, new { kind = "now" });
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync($"/api/v1/tenants/uni-f/campaigns/{nowId}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync("/api/v1/tenants/uni-f/campaigns/cmp_unknown/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task Another_tenants_campaign_is_not_found()
    {
        await CreateTenant("uni-g", allDay: true);
        await CreateTenant("uni-h", allDay: true);
        var importId = await Import("uni-g", ThreeContacts);
        var scriptId = await CheckIn("uni-g");
        var id = await CreateCampaign("uni-g", "Mine", scriptId, importId, new { kind = "now" });
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"/api/v1/tenants/uni-g/campaigns/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/tenants/uni-h/campaigns/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/api/v1/tenants/uni-h/scripts/{scriptId}")).StatusCode);
        var problem = await Json(await PostCampaign("uni-h", "Theirs", scriptId, importId, new { kind = "now" }), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("scriptId", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("recipients.importId", out _));
    }

    [Fact]
    public async Task An_invalid_tenant_id_is_a_bad_request()
    {
        var response = await Http.GetAsync("/api/v1/tenants/Not_Valid/campaigns");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Channel_secrets_are_write_only_and_unknown_providers_are_refused()
    {
        await CreateTenant("uni-i", allDay: true);
        var bad = await Http.PutAsJsonAsync("/api/v1/tenants/uni-i/channels/sms", new { provider = "nope", settings = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var ok = await Http.PutAsJsonAsync("/api/v1/tenants/uni-i/channels/sms", new { provider = "dev", settings = new { } });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var channels = await Json(await Http.GetAsync("/api/v1/tenants/uni-i/channels"), HttpStatusCode.OK);
        Assert.Equal("dev", channels.GetProperty("sms").GetProperty("provider").GetString());
    }
}

/// <summary>The access rules of API.md, outside the anonymous Development allowance.</summary>
public sealed class ApiAccessTests : IAsyncLifetime
{
    private readonly AdminAppFactory _app = new() { AllowAnonymous = false };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task Keys_grant_their_own_tenant_only_and_stop_working_when_revoked()
    {
        var http = _app.CreateClient();
        var a = TenantId.Parse("key-a");
        var b = TenantId.Parse("key-b");
        await _app.Campaigns.PutTenantAsync(a, new TenantSettings("A", "Europe/London", "GB"));
        await _app.Campaigns.PutTenantAsync(b, new TenantSettings("B", "Europe/London", "GB"));
        var keyA = await _app.Campaigns.IssueApiKeyAsync(a, "ci");

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/tenants/key-a")).StatusCode);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", keyA.Key);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/tenants/key-a")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/tenants/key-b")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/tenants/key-b/campaigns")).StatusCode);

        var keys = await http.GetStringAsync("/api/v1/tenants/key-a/keys");
        Assert.DoesNotContain(keyA.Key.Split('.')[2], keys, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/api/v1/tenants/key-a/keys/{keyA.KeyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/tenants/key-a")).StatusCode);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "cmpk_key-a.forged.secret");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/tenants/key-a")).StatusCode);
    }
}
