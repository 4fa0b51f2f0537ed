using Campaigns.Campaigns;
using Campaigns.Grains;
using Campaigns.Scripts;
using Campaigns.Tests.Support;
using Campaigns.Validation;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

public sealed class TenantIsolationTests
{
    private static readonly TenantId A = TenantId.Parse("a");
    private static readonly TenantId B = TenantId.Parse("b");

    [Fact]
    public async Task Another_tenants_campaign_is_not_found_and_a_raw_grain_call_for_it_is_refused()
    {
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(CampaignsTestCluster.Epoch));
        var (importId, script) = await env.SeedAsync(A, CampaignsTestCluster.ThreeContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));
        await env.SeedAsync(B, CampaignsTestCluster.ThreeContactsCsv, new StepDraft("hello", "message", "Hi"));
        var campaignId = await env.Client.CreateCampaignAsync(A, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Once(CampaignsTestCluster.Epoch.AddDays(1))));

        Assert.Null(await env.Client.GetCampaignAsync(B, campaignId));
        Assert.NotNull(await env.Client.GetCampaignAsync(A, campaignId));
        Assert.Equal(0, (await env.Client.ListCampaignsAsync(B, new CampaignListQuery())).Total);

        // Going below the facade: tenant b's call to tenant a's grain.
        var grain = env.Cluster.Client.GetGrain<ICampaignGrain>(A.Key(campaignId));
        TenantContext.Set(B);
        await Assert.ThrowsAsync<TenantMismatchException>(() => grain.Get());
        await Assert.ThrowsAsync<TenantMismatchException>(() => grain.Cancel());
        await Assert.ThrowsAsync<TenantMismatchException>(() => env.Cluster.Client.GetGrain<ITenantGrain>(A.Value).GetChannels());

        // B's facade cannot cancel A's campaign either, and A's campaign is untouched.
        await Assert.ThrowsAsync<NotFoundException>(() => env.Client.CancelCampaignAsync(B, campaignId));
        Assert.Equal(CampaignStatus.Scheduled, (await env.Client.GetCampaignAsync(A, campaignId))!.Row.Status);

        // A script id of tenant a is not a script of tenant b.
        var ex = await Assert.ThrowsAsync<CampaignsValidationException>(() => env.Client.CreateCampaignAsync(B, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now)));
        Assert.Equal(["recipients.importId", "scriptId"], ex.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_grain_call_without_a_tenant_is_refused()
    {
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(CampaignsTestCluster.Epoch));
        var grain = env.Cluster.Client.GetGrain<ICampaignGrain>(A.Key("cmp_whatever"));
        await Assert.ThrowsAsync<TenantMismatchException>(() => grain.Get());
    }
}
