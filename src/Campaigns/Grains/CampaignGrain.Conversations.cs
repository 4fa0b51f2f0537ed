using Campaigns.Campaigns;
using Campaigns.Conversations;
using Campaigns.Storage;
using Microsoft.Extensions.Logging;

namespace Campaigns.Grains;

/// <summary>The campaign's side of conversations: its terms, its responses and its reminder.</summary>
internal sealed partial class CampaignGrain
{
    // Contacts who responded at least once. Counted from the facts on activation; after that every
    // response is recorded through this grain, so a first response adds one without a recount.
    private int _responded;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Request is not null && state.State.Status is CampaignStatus.Sending or CampaignStatus.Sent)
        {
            _responded = (await store.CountFactsAsync(Owner, CampaignId, cancellationToken)).Responded;
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public Task<CampaignTerms?> Terms() => Task.FromResult(
        state.State is { Request: { } request, Script: { } script }
            ? new CampaignTerms(CampaignId, request.Channel, script, request.DurationHours, request.ReminderAfterHours)
            : null);

    public async Task RecordResponse(ContactResponse response)
    {
        var fact = await store.RecordResponseAsync(Owner, CampaignId, response.ContactId, FactResponse.From(response));
        if (fact is not null && response.First)
        {
            _responded++;
            await PublishRowAsync();
        }
    }

    /// <summary>When the reminder is due, or null when the campaign has none (or it went).</summary>
    private DateTimeOffset? ReminderDue =>
        state.State is { Request.ReminderAfterHours: { } hours, StartedAt: { } startedAt, Reminded: false } ? startedAt.AddHours(hours) : null;

    /// <summary>The send finished: keep a due time for the reminder, or forget the campaign's due time.</summary>
    private async Task SettleDueAsync()
    {
        if (ReminderDue is { } at)
        {
            await store.SetDueAsync(this.GetPrimaryKeyString(), at);
            scheduler.Arm(this.GetPrimaryKeyString(), at);
        }
        else
        {
            await store.ClearDueAsync(this.GetPrimaryKeyString());
            scheduler.Disarm(this.GetPrimaryKeyString());
        }
    }

    /// <summary>
    /// Hands each contact whose message left (and who has neither opted out nor paused) to their
    /// conversation, which asks the open question again if it is still unanswered. One-way calls:
    /// a conversation never waits on this grain while it is reminding.
    /// </summary>
    private async Task RemindAsync()
    {
        var terms = (await Terms())!;
        var now = Now;
        var handed = 0;
        TenantContext.Set(Owner);
        await foreach (var fact in store.ReadFactsAsync(Owner, CampaignId))
        {
            if (fact is { Status: DeliveryStatus.Sent or DeliveryStatus.Delivered, OptedOut: false, Paused: false, SentAt: { } sentAt } && sentAt.AddHours(terms.DurationHours) > now)
            {
                await GrainFactory.GetGrain<IConversationGrain>(Owner.Key(fact.ContactId)).Remind(terms);
                handed++;
            }
        }

        state.State.Reminded = true;
        await state.WriteStateAsync();
        await store.ClearDueAsync(this.GetPrimaryKeyString());
        LogReminding(logger, Owner.Value, CampaignId, handed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {TenantId}/{CampaignId}: reminder handed to {Contacts} conversations.")]
    private static partial void LogReminding(ILogger logger, string tenantId, string campaignId, int contacts);
}
