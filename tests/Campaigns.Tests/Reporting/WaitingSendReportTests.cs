using Campaigns.Campaigns;
using Campaigns.Scripts;
using Campaigns.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Reporting;

/// <summary>Contacts held by the tenant's sending hours: not sent yet, shown as waiting, and the send stays in progress.</summary>
public sealed class WaitingSendReportTests
{
    private static readonly TenantId Tenant = TenantId.Parse("night-u");

    [Fact]
    public async Task Contacts_held_by_sending_hours_wait_in_insights_and_export_and_count_as_sent_once_released()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock);
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.ThreeContactsCsv, new StepDraft("ask", "yesNo", "Still coming?"));

        // 22:00 in New Jersey, where the contacts' numbers are: outside the default 08:00-21:00.
        await env.AdvanceToAsync(CampaignsTestCluster.Epoch.AddHours(12));
        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));
        var held = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal(CampaignStatus.Sending, held!.Row.Status);

        var row = await env.Client.GetCampaignRowAsync(Tenant, campaignId);
        Assert.Equal((CampaignStatus.Sending, 0, (double?)null), (row!.Status, row.Sent, row.Engagement));
        var list = await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(Category: CampaignCategory.InProgress));
        Assert.Equal([campaignId], list.Items.Select(r => r.CampaignId));
        var insights = await env.Client.GetInsightsAsync(Tenant, campaignId);
        Assert.Equal((0, 3, 0), (insights!.Sent, insights.Waiting, insights.Skipped));
        var statuses = new List<string>();
        await foreach (var cells in (await env.Client.OpenExportAsync(Tenant, campaignId))!.ReadRowsAsync(TestContext.Current.CancellationToken))
        {
            statuses.Add($"{cells[5]}|{cells[7]}");
        }

        Assert.Equal(["waiting|", "waiting|", "waiting|"], statuses);

        // 08:00 the next morning the window opens and the held messages go.
        await env.AdvanceToAsync(CampaignsTestCluster.Epoch.AddHours(22));
        await env.Outbox.WaitAsync(m => m.Count(x => x.CampaignId == campaignId) >= 3, Within.Seconds(20));
        Assert.Equal(CampaignStatus.Sent, (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status);
        var sent = await env.Client.GetCampaignRowAsync(Tenant, campaignId);
        Assert.Equal((CampaignStatus.Sent, 3, 0.0), (sent!.Status, sent.Sent, sent.Engagement));
        Assert.Equal((3, 0), ((await env.Client.GetInsightsAsync(Tenant, campaignId))!.Sent, (await env.Client.GetInsightsAsync(Tenant, campaignId))!.Waiting));
        Assert.Equal(0, (await env.Client.RebuildCampaignListAsync(Tenant, TestContext.Current.CancellationToken)).Changed);
    }
}
