using Campaigns.Campaigns;
using Campaigns.Storage;

namespace Campaigns.Grains;

/// <summary>The campaign's end, when it can come with its last page.</summary>
internal sealed partial class CampaignGrain
{
    /// <summary>
    /// Whether every fact of this campaign is final (sent, failed or skipped) as far as this activation knows:
    /// true from the create that made the campaign in this activation (no earlier run can have written a fact),
    /// until a page holds a contact for their sending window or a turn fails. A new activation starts false.
    /// </summary>
    private bool _allFactsFinal;

    /// <summary>The ETag before the write that marks the campaign sent, in the turn making it (null otherwise).</summary>
    private string? _finishedWith;

    /// <summary>
    /// Called just before a page's state write. When the page is the last (short), and it and every page
    /// before it in this activation left only final facts, the campaign is marked sent in that same write:
    /// no send waits for its window and none is left pending, so there is nothing to release, to wait for
    /// or to count again (the counts in the state are the page's). Otherwise nothing changes.
    /// </summary>
    private void FinishWithPage(IReadOnlyList<DeliveryFact> claimed, HashSet<string> held)
    {
        if (!_allFactsFinal)
        {
            return;
        }

        foreach (var fact in claimed)
        {
            // Pending and not held: handed to the provider in this page (sent or failed, recorded before this write).
            var final = fact.Status switch
            {
                DeliveryStatus.Pending => !held.Contains(fact.ContactId),
                DeliveryStatus.Waiting => false,
                _ => true,
            };
            if (!final)
            {
                _allFactsFinal = false;
                return;
            }
        }

        if (state.State.RecipientsExhausted)
        {
            _finishedWith = state.Etag;
            state.State.Status = CampaignStatus.Sent;
            state.State.FinishedAt = Now;
        }
    }
}
