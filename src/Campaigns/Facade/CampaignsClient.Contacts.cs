using System.Runtime.CompilerServices;
using Campaigns.Contacts;
using Campaigns.Validation;

namespace Campaigns;

/// <summary>Contacts beyond import, and audiences.</summary>
public sealed partial class CampaignsClient
{
    /// <summary>The largest page of audience members one call returns.</summary>
    public const int MaxMembersPageSize = 500;

    /// <summary>Archives a contact (campaigns skip it with the reason "archived") or brings it back; returns the contact, or null when there is none.</summary>
    public async Task<Contact?> SetContactArchivedAsync(TenantId tenant, string contactId, bool archived, CancellationToken cancellationToken = default) =>
        await _store.SetArchivedAsync(tenant, contactId, archived, cancellationToken) ? await _store.GetContactAsync(tenant, contactId, cancellationToken) : null;

    /// <summary>Reads an import's record (label, time, counts), or null.</summary>
    public Task<ImportSummary?> GetImportAsync(TenantId tenant, string importId, CancellationToken cancellationToken = default) =>
        _store.GetImportAsync(tenant, importId, cancellationToken);

    /// <summary>Validates and saves an audience. Names are unique per tenant, ignoring case.</summary>
    public async Task<Audience> CreateAudienceAsync(TenantId tenant, AudienceDraft draft, CancellationToken cancellationToken = default)
    {
        var settings = (await RequireTenantAsync(tenant)).Settings;
        var audience = AudienceValidator.Validate("aud_" + Guid.NewGuid().ToString("N")[..16], draft, settings.DefaultRegion, _clock.GetUtcNow());
        if (!await _store.AddAudienceAsync(tenant, audience, cancellationToken))
        {
            throw new CampaignsValidationException("name", $"An audience named '{audience.Name}' already exists.");
        }

        return audience;
    }

    /// <summary>Reads an audience, or null.</summary>
    public Task<Audience?> GetAudienceAsync(TenantId tenant, string audienceId, CancellationToken cancellationToken = default) =>
        _store.GetAudienceAsync(tenant, audienceId, cancellationToken);

    /// <summary>Lists a tenant's audiences, oldest first.</summary>
    public Task<IReadOnlyList<Audience>> ListAudiencesAsync(TenantId tenant, CancellationToken cancellationToken = default) =>
        _store.ListAudiencesAsync(tenant, cancellationToken);

    /// <summary>Whether the tenant has this audience.</summary>
    public async Task<bool> AudienceExistsAsync(TenantId tenant, string audienceId, CancellationToken cancellationToken = default) =>
        await _store.GetAudienceAsync(tenant, audienceId, cancellationToken) is not null;

    /// <summary>
    /// One page (1-based) of an audience's current members in contact id order, with their total;
    /// null when the tenant has no such audience.
    /// </summary>
    public async Task<AudienceMembersPage?> GetAudienceMembersAsync(TenantId tenant, string audienceId, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        if (page < 1)
        {
            errors.Add("page", "The page is a whole number from 1.");
        }

        if (pageSize is < 1 or > MaxMembersPageSize)
        {
            errors.Add("pageSize", $"The page size is a whole number from 1 to {MaxMembersPageSize}.");
        }

        errors.ThrowIfAny();
        if (await _store.GetAudienceAsync(tenant, audienceId, cancellationToken) is not { } audience)
        {
            return null;
        }

        var total = await _store.CountAudienceAsync(tenant, audience.Rules, cancellationToken);
        var offset = (long)(page - 1) * pageSize;
        var items = offset >= total ? [] : await _store.GetAudiencePageAsync(tenant, audience.Rules, (int)offset, pageSize, cancellationToken);
        return new AudienceMembersPage(total, items);
    }

    /// <summary>
    /// Streams the ids of an audience's current members in contact id order, a page at a time from the
    /// store (never all in memory). Throws <see cref="NotFoundException"/> when the tenant has no such audience.
    /// </summary>
    public async IAsyncEnumerable<string> AudienceMemberIdsAsync(TenantId tenant, string audienceId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var audience = await _store.GetAudienceAsync(tenant, audienceId, cancellationToken)
            ?? throw new NotFoundException($"Audience '{audienceId}' was not found.");
        await foreach (var id in _store.ReadAudienceMemberIdsAsync(tenant, audience.Rules, cancellationToken))
        {
            yield return id;
        }
    }
}
