using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Channels;
using Campaigns.Grains;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Tests.Api;

/// <summary>Channel settings through the HTTP contract: secrets are write-only (API.md "Tenants").</summary>
public sealed class ChannelApiTests : ApiTestHost
{
    private WebApplicationFactory<Program> _host = null!;

    protected override HttpClient CreateClient()
    {
        _host = App.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IChannelProvider, VaultProvider>()));
        return _host.CreateClient();
    }

    private async Task<IReadOnlyDictionary<ChannelKind, ChannelConfiguration>> Stored(string tenant)
    {
        var id = TenantId.Parse(tenant);
        TenantContext.Set(id);
        return await _host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(id.Value).GetChannels();
    }

    [Fact]
    public async Task Sending_back_the_masked_settings_keeps_the_stored_secrets()
    {
        await CreateTenant("ch-a");
        await Json(await Http.PutAsJsonAsync("/api/v1/tenants/ch-a/channels/sms", new { provider = "vault", settings = new { from = "+12025550100", apiKey = "key-1", apiSecret = "secret-1" } }), HttpStatusCode.OK);
        var read = (await Json(await Http.GetAsync("/api/v1/tenants/ch-a/channels"), HttpStatusCode.OK)).GetProperty("sms").GetProperty("settings");
        Assert.Equal(("+12025550100", "********", "********"), (read.GetProperty("from").GetString(), read.GetProperty("apiKey").GetString(), read.GetProperty("apiSecret").GetString()));

        // An admin form sends back what it read, with only the sender changed.
        await Json(await Http.PutAsJsonAsync("/api/v1/tenants/ch-a/channels/sms", new { provider = "vault", settings = new { from = "+12025550199", apiKey = "********", apiSecret = "********" } }), HttpStatusCode.OK);
        var stored = (await Stored("ch-a"))[ChannelKind.Sms].Settings;
        Assert.Equal(("+12025550199", "key-1", "secret-1"), (stored["from"], stored["apiKey"], stored["apiSecret"]));

        // A new value replaces the secret.
        await Json(await Http.PutAsJsonAsync("/api/v1/tenants/ch-a/channels/sms", new { provider = "vault", settings = new { from = "+12025550199", apiKey = "key-2", apiSecret = "********" } }), HttpStatusCode.OK);
        stored = (await Stored("ch-a"))[ChannelKind.Sms].Settings;
        Assert.Equal(("key-2", "secret-1"), (stored["apiKey"], stored["apiSecret"]));
    }

    [Fact]
    public async Task The_mask_is_never_stored_as_a_secret_when_there_is_no_stored_value()
    {
        await CreateTenant("ch-b");
        var problem = await Json(await Http.PutAsJsonAsync("/api/v1/tenants/ch-b/channels/sms", new { provider = "vault", settings = new { from = "+12025550100", apiKey = "********", apiSecret = "s" } }), HttpStatusCode.BadRequest);
        Assert.Contains("apiKey is required.", problem.GetProperty("errors").GetProperty("settings").EnumerateArray().Select(m => m.GetString()));
        Assert.False((await Stored("ch-b")).ContainsKey(ChannelKind.Sms));
    }

    [Fact]
    public async Task Settings_of_a_provider_this_host_no_longer_has_are_all_masked()
    {
        await CreateTenant("ch-c");
        var id = TenantId.Parse("ch-c");
        TenantContext.Set(id);
        await _host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITenantGrain>(id.Value)
            .SetChannel(ChannelKind.Email, new ChannelConfiguration("retired", new Dictionary<string, string> { ["user"] = "mailer", ["password"] = "hunter2" }));

        var body = await (await Http.GetAsync("/api/v1/tenants/ch-c/channels")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("mailer", body, StringComparison.Ordinal);
        var email = JsonDocument.Parse(body).RootElement.GetProperty("email");
        Assert.Equal("retired", email.GetProperty("provider").GetString());
        Assert.All(email.GetProperty("settings").EnumerateObject(), p => Assert.Equal("********", p.Value.GetString()));
    }

    /// <summary>A provider with a public sender and two secret credentials.</summary>
    private sealed class VaultProvider : IChannelProvider
    {
        public ProviderDescriptor Descriptor { get; } = new("vault", "Test vault", [ChannelKind.Sms],
            [new ProviderSetting("from", Secret: false, Required: true), new ProviderSetting("apiKey", Secret: true, Required: true), new ProviderSetting("apiSecret", Secret: true, Required: true)]);

        public IReadOnlyList<string> Validate(IReadOnlyDictionary<string, string> settings) =>
            Descriptor.Settings.Where(s => s.Required && !settings.ContainsKey(s.Name)).Select(s => $"{s.Name} is required.").ToList();

        public Task<SendResult> SendAsync(OutboundMessage message, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken) =>
            Task.FromResult(SendResult.Sent(Guid.NewGuid().ToString("N")));
    }
}
