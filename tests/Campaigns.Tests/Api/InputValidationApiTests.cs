using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Campaigns.Tests.Api;

/// <summary>Bad input through the HTTP contract: 400 naming every problem (API.md "Conventions"), nothing created.</summary>
public sealed class InputValidationApiTests : IAsyncLifetime
{
    private readonly AdminAppFactory _app = new();
    private HttpClient _http = null!;

    public ValueTask InitializeAsync()
    {
        _http = _app.CreateClient();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {expected}, got {response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string[] ErrorFields(JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task A_tenant_id_with_a_trailing_line_break_is_400_and_creates_no_tenant()
    {
        var problem = await Json(await _http.PutAsJsonAsync("/api/v1/tenants/rv3%0A", new { displayName = "Uni", timeZone = "America/New_York" }), HttpStatusCode.BadRequest);
        Assert.Equal(["tenantId"], ErrorFields(problem));
        Assert.Null(await _app.Campaigns.GetTenantAsync(TenantId.Parse("rv3")));
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync("/api/v1/tenants/rv3%0A")).StatusCode);
    }

    [Theory]
    [InlineData("Eastern Standard Time")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("")]
    public async Task A_tenant_time_zone_must_be_an_iana_id(string timeZone)
    {
        var problem = await Json(await _http.PutAsJsonAsync("/api/v1/tenants/tz-a", new { displayName = "Uni", timeZone }), HttpStatusCode.BadRequest);
        Assert.Equal(["timeZone"], ErrorFields(problem));
        Assert.Null(await _app.Campaigns.GetTenantAsync(TenantId.Parse("tz-a")));
        await Json(await _http.PutAsJsonAsync("/api/v1/tenants/tz-a", new { displayName = "Uni", timeZone = "America/Indiana/Indianapolis" }), HttpStatusCode.Created);
    }
}
