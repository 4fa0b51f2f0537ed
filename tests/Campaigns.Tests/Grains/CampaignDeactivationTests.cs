using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Grains;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

public sealed class CampaignDeactivationTests
{
    private static readonly TenantId Tenant = TenantId.Parse("deact");

    [Fact]
    public async Task Deactivated_mid_fan_out_resumes_without_messaging_anyone_twice()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        var gate = new GateChannelProvider { HoldCall = 3 };
        await using var env = await CampaignsTestCluster.StartAsync(
            dir.Path, clock, o => o.FanOutPageSize = 2, services => services.AddSingleton<IChannelProvider>(gate));
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.FiveContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));
        await env.Client.SetChannelAsync(Tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());

        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));
        await gate.Held.WaitAsync(Within.Seconds(20));

        // The second page is in flight: deactivate the campaign grain while its provider call is held.
        var grain = env.Cluster.Client.GetGrain<ICampaignGrain>(Tenant.Key(campaignId));
        Assert.True(env.Cluster.TryGetGrainContext(grain.GetGrainId(), out var held));
        var deactivation = env.Cluster.DeactivateAsync(grain);
        gate.Release();
        await deactivation.WaitAsync(Within.Seconds(20));

        // The sweep wakes whatever is left of the send.
        clock.Advance(env.Options.SweepInterval + TimeSpan.FromSeconds(1));
        await gate.WaitForAcceptedAsync(5, Within.Seconds(20));

        var details = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.True(env.Cluster.TryGetGrainContext(grain.GetGrainId(), out var resumed));
        Assert.NotEqual(held.ActivationId, resumed.ActivationId);
        Assert.Equal(CampaignStatus.Sent, details!.Row.Status);
        Assert.Equal(5, details.Row.Sent);
        Assert.Equal(5, gate.Accepted.Select(m => m.IdempotencyKey).Distinct().Count());
        Assert.Equal(5, gate.Accepted.Count);
        Assert.Equal(5, gate.Calls);
        Assert.Equal(5, gate.Accepted.Select(m => m.Address).Distinct().Count());
        var facts = await env.ReadFactsAsync(Tenant, campaignId);
        Assert.Equal(5, facts.Count);
        Assert.All(facts, f => Assert.Equal(DeliveryStatus.Sent, f.Status));
        Assert.Empty(env.Outbox.Messages);
    }

    [Fact(Skip = "Design flaw (fails today: 6 accepted, one contact's key twice): a page's outcomes are recorded only after the whole page was sent, so a crash mid-page resends every message of that page the provider had already accepted. Same idempotency key, so only a provider that de-duplicates on it avoids a second message.")]
    public async Task A_silo_crash_mid_page_does_not_resend_a_message_the_provider_already_accepted()
    {
        using var dir = new TempDirectory();
        var gate = new GateChannelProvider { HoldCall = 3 };
        string campaignId;
        var first = await CampaignsTestCluster.StartAsync(
            dir.Path, new FakeTimeProvider(CampaignsTestCluster.Epoch), o => o.FanOutPageSize = 2, services => services.AddSingleton<IChannelProvider>(gate));
        var (importId, script) = await first.SeedAsync(Tenant, CampaignsTestCluster.FiveContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));
        await first.Client.SetChannelAsync(Tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());
        campaignId = await first.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));

        // Page two is in flight: one message held, the other accepted by the provider. The silo dies.
        await gate.Held.WaitAsync(Within.Seconds(20));
        await gate.WaitForAcceptedAsync(3, Within.Seconds(20));
        await first.Cluster.KillSiloAsync(first.Cluster.Silos[0], TestContext.Current.CancellationToken).WaitAsync(Within.Seconds(30));
        await first.DisposeAsync();

        await using var second = await CampaignsTestCluster.StartAsync(
            dir.Path, new FakeTimeProvider(CampaignsTestCluster.Epoch.AddMinutes(1)), o => o.FanOutPageSize = 2, services => services.AddSingleton<IChannelProvider>(gate));
        second.Clock.Advance(second.Options.SweepInterval + TimeSpan.FromSeconds(1));
        await gate.WaitAsync(a => a.Select(m => m.IdempotencyKey).Distinct().Count() == 5, Within.Seconds(20));

        var details = await second.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal(CampaignStatus.Sent, details!.Row.Status);
        Assert.Equal(5, details.Row.Sent);
        Assert.Equal(5, gate.Accepted.Count);
    }
}
