using Campaigns.Campaigns;
using Campaigns.Channels.Dev;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

public sealed class CampaignSendTests
{
    private static readonly TenantId Tenant = TenantId.Parse("alpha");

    private static readonly StepDraft[] Steps =
    [
        new("hello", "message", "Hi {{firstName}}, welcome to {{field.major}}!"),
        new("ask", "yesNo", "Is {{field.major}} still your major, {{firstName}} {{lastName}}?"),
        new("after", "message", "Thanks!"),
    ];

    [Fact]
    public async Task Sends_one_message_per_contact_with_merge_fields_filled_when_scheduled_now()
    {
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(CampaignsTestCluster.Epoch));
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.ThreeContactsCsv, Steps);

        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));

        var sent = env.Outbox.For(Tenant).OrderBy(m => m.Address, StringComparer.Ordinal).Select(m => (m.CampaignId, m.Address, m.Text)).ToList();
        Assert.Equal(
            [
                (campaignId, "+12015550101", "Hi Ada, welcome to Mathematics!\n\nIs Mathematics still your major, Ada Lovelace?"),
                (campaignId, "+12015550102", "Hi Grace, welcome to Computer Science!\n\nIs Computer Science still your major, Grace Hopper?"),
                (campaignId, "+12015550103", "Hi Alan, welcome to Logic!\n\nIs Logic still your major, Alan Turing?"),
            ],
            sent);

        // The campaign grain finishes the page before it answers, so this read sees the end state.
        var details = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.NotNull(details);
        Assert.Equal(CampaignStatus.Sent, details.Row.Status);
        Assert.Equal(3, details.Row.Sent);
        Assert.Equal(ScriptType.Interactive, details.Row.Type);
        Assert.Equal(CampaignsTestCluster.Epoch, details.Row.LastSent);
        Assert.Equal(3, env.Outbox.Messages.Count);
        var facts = await env.ReadFactsAsync(Tenant, campaignId);
        Assert.Equal(3, facts.Count);
        Assert.All(facts, f => Assert.Equal(DeliveryStatus.Sent, f.Status));
        Assert.Equal(env.Outbox.Messages.Select(m => m.MessageId).Order(), facts.Select(f => f.MessageId!).Order());
    }

    [Fact]
    public async Task Sends_nothing_before_its_time_and_once_per_contact_after_it()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock);
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.ThreeContactsCsv, Steps);
        var sendAt = CampaignsTestCluster.Epoch.AddHours(2);

        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Once(sendAt)));
        clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));

        var before = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.NotNull(before);
        Assert.Equal(CampaignStatus.Scheduled, before.Row.Status);
        Assert.True(before.Row.IsUpcoming);
        Assert.Equal(sendAt, before.Row.LastSent);
        Assert.Empty(env.Outbox.Messages);
        var list = await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(Category: CampaignCategory.Upcoming));
        Assert.Equal([campaignId], list.Items.Select(r => r.CampaignId));

        clock.Advance(TimeSpan.FromSeconds(2));
        await env.Outbox.WaitAsync(m => m.Count >= 3, Within.Seconds(20));
        var after = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal(CampaignStatus.Sent, after!.Row.Status);
        Assert.Equal(3, after.Row.Sent);
        Assert.Equal(sendAt.AddSeconds(1), after.Row.LastSent);

        // Sweeps after the send find nothing due and send nothing more.
        clock.Advance(env.Options.SweepInterval * 3);
        Assert.Empty(await env.ReadDueKeysAsync());
        Assert.Equal(3, env.Outbox.Messages.Count);
        Assert.Equal(3, env.Outbox.Messages.Select(m => m.Address).Distinct().Count());
        Assert.Equal(3, (await env.ReadFactsAsync(Tenant, campaignId)).Count);
    }
}
