using Campaigns.Campaigns;
using Campaigns.Contacts;
using Microsoft.Extensions.Logging;

namespace Campaigns.Grains;

internal sealed partial class CampaignGrain
{
    /// <summary>The audience's rules, read once per activation (audiences do not change once saved).</summary>
    private Audience? _audience;

    /// <summary>
    /// The page of recipients after <c>After</c>, being read on the thread pool while the page before it is
    /// sent and its facts written (<see cref="ReadAhead"/>); null when no page is being read ahead.
    /// </summary>
    private (string After, DateTimeOffset At, Task<IReadOnlyList<Contact>> Page)? _readAhead;

    /// <summary>How old a page read ahead may be when its turn comes; an older one is read again (opt-outs meanwhile).</summary>
    internal static readonly TimeSpan ReadAheadFreshness = TimeSpan.FromSeconds(1);

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

    /// <summary>
    /// The page after <paramref name="cursor"/>: the one read ahead when it starts there and the page before
    /// it went at once, otherwise read now. A page read ahead is used once. It is dropped when it was read for
    /// another cursor, when the provider made the page before it wait (that page then took as long as the
    /// provider did, and the contacts read ahead are that much older), or when it was started more than
    /// <see cref="ReadAheadFreshness"/> ago (the page before it waited for the store's write lock).
    /// </summary>
    private async Task<IReadOnlyList<Contact>> NextRecipientsPageAsync(Recipients recipients, string? cursor, int pageSize)
    {
        if (_readAhead is { } ahead)
        {
            _readAhead = null;
            if (_answersAtOnce && string.Equals(ahead.After, cursor, StringComparison.Ordinal) && Now - ahead.At <= ReadAheadFreshness)
            {
                try
                {
                    return await ahead.Page;
                }
                catch (Exception ex)
                {
                    // Only a read: the page is read again below, and a second failure fails the turn as before.
                    LogReadAheadFailed(logger, ex, Owner.Value, CampaignId);
                }
            }
            else
            {
                ForgetReadAhead(ahead.Page);
            }
        }

        return await RecipientsPageAsync(recipients, cursor, pageSize);
    }

    /// <summary>
    /// Starts reading the page after <paramref name="after"/> on the thread pool, so that it overlaps with
    /// this page's sends and the write of its facts (synchronous SQLite on this grain's thread) on the
    /// machine's other core. Only a read: nothing of the next page is sent before this page's facts are
    /// written. The contacts it reads are older by the time this page takes, a few tens of milliseconds
    /// for a provider that answers at once (a contact who opts out in that moment is sent the message, as
    /// one who opts out while their own page is sent); when the provider makes this page wait, or the page
    /// read ahead is older than <see cref="ReadAheadFreshness"/> at its turn, it is dropped
    /// (<see cref="NextRecipientsPageAsync"/>).
    /// </summary>
    private void ReadAhead(Recipients recipients, string after, int pageSize)
    {
        var (owner, facts) = (Owner, store);
        Func<Task<IReadOnlyList<Contact>>>? read = recipients switch
        {
            { ImportId: { } importId } => () => facts.GetImportContactsAsync(owner, importId, recipients.Subset, after, pageSize),
            { AudienceId: not null } when _audience is { } audience => () => facts.GetAudienceContactsAsync(owner, audience.Rules, after, pageSize),
            _ => null,
        };
        if (read is not null)
        {
            _readAhead = (after, Now, Task.Run(read));
        }
    }

    /// <summary>Drops a page read ahead that will not be used (its failure, if any, observed).</summary>
    private static void ForgetReadAhead(Task<IReadOnlyList<Contact>> page) =>
        _ = page.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {TenantId}/{CampaignId}: reading the next page of recipients ahead failed; it is read again.")]
    private static partial void LogReadAheadFailed(ILogger logger, Exception exception, string tenantId, string campaignId);
}
