using Campaigns.Contacts;

namespace Campaigns.Storage;

public partial interface ICampaignStore
{
    /// <summary>Archives a contact (it receives nothing more) or brings it back; false when the contact does not exist.</summary>
    Task<bool> SetArchivedAsync(TenantId tenant, string contactId, bool archived, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts a carrier's report on an SMS to <paramref name="phone"/>: a failure adds one to the
    /// contact's consecutive failures and flags the phone invalid when they reach
    /// <paramref name="invalidAfter"/>; a delivery resets the count and clears the flag. A report about
    /// a phone the contact no longer has changes nothing. Returns the contact after the change, or null.
    /// </summary>
    Task<Contact?> RecordPhoneDeliveryAsync(TenantId tenant, string contactId, string phone, bool delivered, int invalidAfter, CancellationToken cancellationToken = default);

    /// <summary>Reads an import's record (its label, when it ran and its counts), or null.</summary>
    Task<ImportSummary?> GetImportAsync(TenantId tenant, string importId, CancellationToken cancellationToken = default);
}
