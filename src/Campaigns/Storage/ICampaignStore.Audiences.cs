using Campaigns.Contacts;

namespace Campaigns.Storage;

/// <summary>
/// Audiences: saved rules and their evaluation. Rules are translated to the store's own query
/// language, so members stream from the database in contact id order and are never all in memory.
/// </summary>
public partial interface ICampaignStore
{
    /// <summary>Saves a new audience; false (and nothing saved) when the tenant has an audience of that name, ignoring case.</summary>
    Task<bool> AddAudienceAsync(TenantId tenant, Audience audience, CancellationToken cancellationToken = default);

    /// <summary>Reads an audience, or null.</summary>
    Task<Audience?> GetAudienceAsync(TenantId tenant, string audienceId, CancellationToken cancellationToken = default);

    /// <summary>Lists a tenant's audiences, oldest first.</summary>
    Task<IReadOnlyList<Audience>> ListAudiencesAsync(TenantId tenant, CancellationToken cancellationToken = default);

    /// <summary>A page of the contacts for which every rule holds, ordered by contact id, after <paramref name="afterContactId"/>.</summary>
    Task<IReadOnlyList<Contact>> GetAudienceContactsAsync(TenantId tenant, IReadOnlyList<AudienceRule> rules, string? afterContactId, int limit, CancellationToken cancellationToken = default);

    /// <summary>How many contacts every rule holds for.</summary>
    Task<int> CountAudienceAsync(TenantId tenant, IReadOnlyList<AudienceRule> rules, CancellationToken cancellationToken = default);

    /// <summary>The members at <paramref name="offset"/> in contact id order (for a paged listing).</summary>
    Task<IReadOnlyList<Contact>> GetAudiencePageAsync(TenantId tenant, IReadOnlyList<AudienceRule> rules, int offset, int limit, CancellationToken cancellationToken = default);

    /// <summary>Streams the ids of the contacts every rule holds for, in contact id order, reading a page at a time.</summary>
    IAsyncEnumerable<string> ReadAudienceMemberIdsAsync(TenantId tenant, IReadOnlyList<AudienceRule> rules, CancellationToken cancellationToken = default);
}
