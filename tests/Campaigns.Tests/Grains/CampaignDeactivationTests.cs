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

    private const string FiveContactsCsv = """
        phone,first_name,last_name
        2015550111,One,A
        2015550112,Two,B
        2015550113,Three,C
        2015550114,Four,D
        2015550115,Five,E
        """;

    [Fact]
    public async Task Deactivated_mid_fan_out_resumes_without_messaging_anyone_twice()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        var gate = new GateChannelProvider { HoldCall = 3 };
        await using var env = await CampaignsTestCluster.StartAsync(
            dir.Path, clock, o => o.FanOutPageSize = 2, services => services.AddSingleton<IChannelProvider>(gate));
        var (importId, script) = await env.SeedAsync(Tenant, FiveContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));
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
}
