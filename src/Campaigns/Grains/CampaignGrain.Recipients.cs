using Campaigns.Campaigns;
using Campaigns.Contacts;

namespace Campaigns.Grains;

internal sealed partial class CampaignGrain
{
    /// <summary>The audience's rules, read once per activation (audiences do not change once saved).</summary>
    private Audience? _audience;

    /// <summary>
    /// The next page of recipients after <paramref name="cursor"/> in contact id order: an import's
    /// (subset of) contacts, or an audience's members evaluated now by the store. Empty when there are no more.
    /// </summary>
    private async Task<IReadOnlyList<Contact>> RecipientsPageAsync(Recipients recipients, string? cursor, int pageSize)
    {
        if (recipients.ImportId is { } importId)
        {
            return await store.GetImportContactsAsync(Owner, importId, recipients.Subset, cursor, pageSize);
        }

        if (recipients.AudienceId is { } audienceId)
        {
            _audience ??= await store.GetAudienceAsync(Owner, audienceId);
            return _audience is null ? [] : await store.GetAudienceContactsAsync(Owner, _audience.Rules, cursor, pageSize);
        }

        return [];
    }
}
