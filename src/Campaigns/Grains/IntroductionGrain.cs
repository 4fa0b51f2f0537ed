using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Conversations;
using Campaigns.Scripts;
using Campaigns.Storage;

namespace Campaigns.Grains;

/// <summary>
/// The introductory row of one trigger and script, keyed <c>{tenant}/intro-{trigger}-{scriptId}</c>.
/// Its delivery facts (one per contact introduced) are written only here, so the row's figures,
/// counted from the facts on activation, stay exact as intros and replies arrive: sent = contacts
/// introduced, responded = those who replied, last sent = the latest intro.
/// </summary>
internal sealed class IntroductionGrain(ICampaignStore store) : Grain, IIntroductionGrain, ITenantOwned
{
    private Script? _script;
    private int _sent;
    private int _responded;
    private DateTimeOffset? _lastSent;

    public TenantId Owner => TenantId.TryFromKey(this.GetPrimaryKeyString(), out var tenant, out _) ? tenant : throw new InvalidOperationException("Bad introduction key.");

    private string CampaignId => this.GetPrimaryKeyString()[(Owner.Value.Length + 1)..];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (IntroductoryCampaign.TryParse(CampaignId, out _, out var scriptId))
        {
            _script = await store.GetScriptAsync(Owner, scriptId, cancellationToken);
        }

        await foreach (var fact in store.ReadFactsAsync(Owner, CampaignId, cancellationToken))
        {
            if (fact.Status is DeliveryStatus.Sent or DeliveryStatus.Delivered or DeliveryStatus.Failed)
            {
                _sent++;
                if (fact.SentAt is { } at && (_lastSent is null || at > _lastSent))
                {
                    _lastSent = at;
                }
            }

            if (fact.Responded)
            {
                _responded++;
            }
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public async Task<bool> Claim(string contactId, ChannelKind channel, string address)
    {
        var claimed = await store.ClaimAsync(Owner, CampaignId, [new DeliveryFact(contactId, channel, address, DeliveryStatus.Pending)]);
        return claimed is [{ Status: DeliveryStatus.Pending }];
    }

    public async Task Sent(string contactId, bool accepted, string? messageId, string? failureReason, DateTimeOffset at)
    {
        // Only a claimed (pending) fact is sent, and only here, so each contact is counted once.
        await store.RecordSendsAsync(Owner, CampaignId, [new SendOutcome(contactId, accepted, messageId, failureReason, at)]);
        _sent++;
        _lastSent = _lastSent is { } last && last > at ? last : at;
        await PublishRowAsync();
    }

    public async Task RecordResponse(ContactResponse response)
    {
        var fact = await store.RecordResponseAsync(Owner, CampaignId, response.ContactId, FactResponse.From(response));
        if (fact is not null && response.First)
        {
            _responded++;
            await PublishRowAsync();
        }
    }

    private Task PublishRowAsync()
    {
        if (_script is null)
        {
            return Task.CompletedTask;
        }

        TenantContext.Set(Owner);
        return GrainFactory.GetGrain<ITenantIndexGrain>(Owner.Value).Upsert(new CampaignRow(
            CampaignId,
            null,
            _script.Name,
            _script.Description,
            IsRecurring: false,
            _script.Type,
            _sent,
            _responded,
            _lastSent,
            IsUpcoming: false,
            CampaignStatus.Sent,
            IsIntroductory: true));
    }
}
