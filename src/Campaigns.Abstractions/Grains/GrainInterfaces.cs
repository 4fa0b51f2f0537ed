using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Conversations;
using Campaigns.Scripts;
using Campaigns.Tenants;
using Orleans.Concurrency;

namespace Campaigns.Grains;

/// <summary>A tenant's settings, channel configuration and API keys. Keyed by the tenant id.</summary>
[Alias("Campaigns.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>The tenant, or null when it was never created.</summary>
    [Alias("Get")]
    Task<Tenant?> Get();

    /// <summary>Creates or replaces the settings; true when this created the tenant.</summary>
    [Alias("Put")]
    Task<bool> Put(TenantSettings settings);

    /// <summary>Issues an API key; its secret is returned this once.</summary>
    [Alias("IssueKey")]
    Task<IssuedApiKey> IssueKey(string name);

    /// <summary>Lists keys without their secrets.</summary>
    [Alias("ListKeys")]
    Task<IReadOnlyList<ApiKeyInfo>> ListKeys();

    /// <summary>Revokes a key; false when there is no such key.</summary>
    [Alias("RevokeKey")]
    Task<bool> RevokeKey(string keyId);

    /// <summary>Whether a presented key is a live key of this tenant.</summary>
    [Alias("VerifyKey")]
    Task<bool> VerifyKey(string key);

    /// <summary>Sets the provider and settings of a channel.</summary>
    [Alias("SetChannel")]
    Task SetChannel(ChannelKind channel, ChannelConfiguration configuration);

    /// <summary>The configured channels, secrets included (never hand these to a caller as they are).</summary>
    [Alias("GetChannels")]
    Task<IReadOnlyDictionary<ChannelKind, ChannelConfiguration>> GetChannels();
}

/// <summary>The provider a tenant uses on a channel and its settings.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.ChannelConfiguration")]
public sealed record ChannelConfiguration(string Provider, IReadOnlyDictionary<string, string> Settings);

/// <summary>One send of a script. Keyed <c>{tenant}/{campaign}</c>.</summary>
[Alias("Campaigns.ICampaignGrain")]
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>Creates the campaign with a snapshot of its script; sends now or arms its send time.</summary>
    [Alias("Create")]
    Task Create(CampaignRequest request, Script script);

    /// <summary>Creates the campaign as one send of a recurring schedule; a repeat for the same occurrence changes nothing.</summary>
    [Alias("CreateInstance")]
    Task CreateInstance(CampaignRequest request, Script script, RecurringInstance instance);

    /// <summary>The campaign, or null when there is none.</summary>
    [Alias("Get")]
    Task<CampaignDetails?> Get();

    /// <summary>
    /// The campaign as it stands, or null: answered at once, even while a page of its send is in
    /// flight (reports read this; <see cref="Get"/> waits for the page).
    /// </summary>
    [Alias("Peek"), AlwaysInterleave]
    Task<CampaignDetails?> Peek();

    /// <summary>Cancels an upcoming send; throws <see cref="Validation.ConflictException"/> once it started.</summary>
    [Alias("Cancel")]
    Task Cancel();

    /// <summary>The send time came, or the send must go on after an interruption.</summary>
    [Alias("Wake")]
    Task Wake();

    /// <summary>Sends the next page of recipients.</summary>
    [Alias("Continue"), OneWay]
    Task Continue();

    /// <summary>What a conversation needs to route replies to this campaign, or null when there is none.</summary>
    [Alias("Terms"), AlwaysInterleave]
    Task<CampaignTerms?> Terms();

    /// <summary>Records a contact's response in the campaign's facts and updates the row's figures.</summary>
    [Alias("RecordResponse")]
    Task RecordResponse(ContactResponse response);
}

/// <summary>A tenant's campaign list, held in memory. Keyed by the tenant id.</summary>
[Alias("Campaigns.ITenantIndexGrain")]
public interface ITenantIndexGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces a row.</summary>
    [Alias("Upsert")]
    Task Upsert(CampaignRow row);

    /// <summary>Removes a row (an upcoming send that will not happen).</summary>
    [Alias("Remove")]
    Task Remove(string campaignId);

    /// <summary>One page of the list, with the section counts.</summary>
    [Alias("Query")]
    Task<CampaignListPage> Query(CampaignListQuery query);

    /// <summary>One row with its figures up to date, or null.</summary>
    [Alias("Get")]
    Task<CampaignRow?> Get(string campaignId);

    /// <summary>Every row (figures up to date).</summary>
    [Alias("All")]
    Task<IReadOnlyList<CampaignRow>> All();

    /// <summary>Counts a row's figures again from its facts now; null when there is no such row.</summary>
    [Alias("Recompute")]
    Task<CampaignRow?> Recompute(string campaignId);

    /// <summary>
    /// Replaces the whole list with these rows (their shape as their grains hold it), every figure
    /// counted again from the delivery facts; rows not given are dropped.
    /// </summary>
    [Alias("Rebuild")]
    Task<IndexRebuild> Rebuild(IReadOnlyList<CampaignRow> rows);
}
