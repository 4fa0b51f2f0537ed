using Campaigns.Campaigns;
using Campaigns.Hosting;
using Campaigns.Reporting;

namespace Campaigns.Grains;

[GenerateSerializer, Alias("Campaigns.TenantIndexState")]
internal sealed class TenantIndexState
{
    [Id(0)] public Dictionary<string, CampaignRow> Rows { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A tenant's campaign list in memory, fed by its campaign grains. Keyed by the tenant id.</summary>
internal sealed class TenantIndexGrain(
    [PersistentState("index", CampaignsDefaults.StorageName)] IPersistentState<TenantIndexState> state) : Grain, ITenantIndexGrain, ITenantOwned
{
    public TenantId Owner => TenantId.Parse(this.GetPrimaryKeyString());

    public async Task Upsert(CampaignRow row)
    {
        var previous = state.State.Rows.GetValueOrDefault(row.CampaignId);
        state.State.Rows[row.CampaignId] = row;

        // Figures move with every page of a send; the row's shape (status, time) is what must survive a restart at once.
        if (previous is null || previous.Status != row.Status || previous.LastSent != row.LastSent || previous.IsUpcoming != row.IsUpcoming || row.Status == CampaignStatus.Sent)
        {
            await state.WriteStateAsync();
        }
    }

    public async Task Remove(string campaignId)
    {
        if (state.State.Rows.Remove(campaignId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<CampaignListPage> Query(CampaignListQuery query) =>
        Task.FromResult(CampaignList.Query(state.State.Rows.Values, query));
}
