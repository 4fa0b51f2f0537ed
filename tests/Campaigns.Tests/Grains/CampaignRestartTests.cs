using Campaigns.Campaigns;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

public sealed class CampaignRestartTests
{
    private static readonly TenantId Tenant = TenantId.Parse("restart-u");

    [Fact]
    public async Task Sends_once_after_host_restart()
    {
        using var dir = new TempDirectory();
        var sendAt = CampaignsTestCluster.Epoch.AddHours(1);
        string campaignId;
        await using (var first = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(CampaignsTestCluster.Epoch)))
        {
            var (importId, script) = await first.SeedAsync(Tenant, CampaignsTestCluster.ThreeContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));
            campaignId = await first.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Once(sendAt)));
            Assert.Equal(CampaignStatus.Scheduled, (await first.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status);
            Assert.Empty(first.Outbox.Messages);
        }

        // The host comes back after the send time: the remembered due time sends it, once.
        var clock = new FakeTimeProvider(sendAt.AddMinutes(10));
        await using var second = await CampaignsTestCluster.StartAsync(dir.Path, clock);
        await second.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));

        var details = await second.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal(CampaignStatus.Sent, details!.Row.Status);
        Assert.Equal(3, details.Row.Sent);

        for (var i = 0; i < 3; i++)
        {
            clock.Advance(second.Options.SweepInterval + TimeSpan.FromSeconds(1));
        }

        // A read through the grain orders after any wake the sweeps started.
        Assert.Equal(CampaignStatus.Sent, (await second.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status);
        Assert.Equal(
            ["+12015550101", "+12015550102", "+12015550103"],
            second.Outbox.Messages.Select(m => m.Address).Order(StringComparer.Ordinal));
        Assert.All(second.Outbox.Messages, m => Assert.Equal(campaignId, m.CampaignId));
        var facts = await second.ReadFactsAsync(Tenant, campaignId);
        Assert.Equal(3, facts.Count);
        Assert.Equal(3, facts.Select(f => f.ContactId).Distinct().Count());
        Assert.All(facts, f => Assert.Equal(DeliveryStatus.Sent, f.Status));
        Assert.Empty(await second.ReadDueKeysAsync());

        // The campaign list survived the restart too.
        var list = await second.Client.ListCampaignsAsync(Tenant, new CampaignListQuery());
        var row = Assert.Single(list.Items);
        Assert.Equal((campaignId, CampaignStatus.Sent, 3), (row.CampaignId, row.Status, row.Sent));
    }
}
