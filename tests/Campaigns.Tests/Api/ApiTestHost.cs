using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Campaigns.Tests.Api;

/// <summary>
/// What the black-box API test classes share: their own admin sample, a client over real HTTP,
/// and the calls that set a tenant up, each asserting the status API.md promises.
/// </summary>
public abstract class ApiTestHost(AdminAppFactory app) : IAsyncLifetime
{
    /// <summary>Three students with a custom field, in three phone formats that all normalise.</summary>
    protected const string ThreeContacts = "phone,first_name,last_name,major\n(202) 555-0143,Ada,Lovelace,Maths\n+1 202 555 0178,Grace,Hopper,CS\n2025550121,Alan,Turing,Philosophy\n";

    protected ApiTestHost()
        : this(new AdminAppFactory())
    {
    }

    protected AdminAppFactory App { get; } = app;

    protected HttpClient Http { get; private set; } = null!;

    /// <summary>Long enough for a page of sends, short enough that a hang fails the test.</summary>
    protected static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public ValueTask InitializeAsync()
    {
        Http = CreateClient();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return App.DisposeAsync();
    }

    /// <summary>The client every test uses; a class that adds services to the host makes it from its own factory.</summary>
    protected virtual HttpClient CreateClient() => App.CreateClient();

    /// <summary>The body of a response that must have <paramref name="expected"/>; the message shows the body when it has not.</summary>
    protected static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {expected}, got {response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>
    /// A tenant in New York. <paramref name="allDay"/> opens its sending hours around the clock, for tests
    /// that send on the real clock at any hour (SchedulingApiTests covers the window itself).
    /// </summary>
    protected Task CreateTenant(string tenant, bool allDay = false) =>
        CreateTenant(tenant, allDay
            ? new { displayName = "Uni " + tenant, timeZone = "America/New_York", sendingHours = new { start = "00:00", end = "24:00" } }
            : (object)new { displayName = "Uni " + tenant, timeZone = "America/New_York" });

    protected async Task CreateTenant(string tenant, object settings) =>
        await Json(await Http.PutAsJsonAsync($"/api/v1/tenants/{tenant}", settings), HttpStatusCode.Created);

    /// <summary>Imports contacts from CSV text; returns the import id.</summary>
    protected async Task<string> Import(string tenant, string csv, string? label = null)
    {
        var query = label is null ? string.Empty : $"?label={Uri.EscapeDataString(label)}";
        return (await Json(await Http.PostAsync($"/api/v1/tenants/{tenant}/contacts/imports{query}", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.OK))
            .GetProperty("importId").GetString()!;
    }

    /// <summary>Creates a script of these steps; returns the script id.</summary>
    protected async Task<string> Script(string tenant, string name, params object[] steps) =>
        (await Json(await Http.PostAsJsonAsync($"/api/v1/tenants/{tenant}/scripts", new { name, description = "", steps }), HttpStatusCode.Created))
        .GetProperty("scriptId").GetString()!;

    protected Task<HttpResponseMessage> PostCampaign(string tenant, string name, string scriptId, string importId, object schedule, string description = "") =>
        Http.PostAsJsonAsync($"/api/v1/tenants/{tenant}/campaigns", new { name, description, scriptId, channel = "sms", recipients = new { importId }, schedule });

    /// <summary>Creates an SMS campaign to an import; returns the campaign id.</summary>
    protected async Task<string> CreateCampaign(string tenant, string name, string scriptId, string importId, object schedule, string description = "") =>
        (await Json(await PostCampaign(tenant, name, scriptId, importId, schedule, description), HttpStatusCode.Created)).GetProperty("campaignId").GetString()!;
}
