using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Scripts;

namespace Campaigns.Storage;

/// <summary>
/// The relational side of the SDK: contacts, imports, scripts, delivery facts and durable due times.
/// Every method takes the tenant and no query reads another tenant's rows.
/// The embedded default is SQLite (<see cref="SqliteCampaignStore"/>).
/// </summary>
public partial interface ICampaignStore
{
    /// <summary>Creates the schema if it is missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs an import inside one transaction: everything <paramref name="apply"/> writes lands together, or nothing does.</summary>
    Task<T> InImportAsync<T>(TenantId tenant, Func<IImportSession, Task<T>> apply, CancellationToken cancellationToken = default);

    /// <summary>Reads one contact.</summary>
    Task<Contact?> GetContactAsync(TenantId tenant, string contactId, CancellationToken cancellationToken = default);

    /// <summary>Whether an import exists.</summary>
    Task<bool> ImportExistsAsync(TenantId tenant, string importId, CancellationToken cancellationToken = default);

    /// <summary>A page of an import's contacts, ordered by contact id, after <paramref name="afterContactId"/>.</summary>
    Task<IReadOnlyList<Contact>> GetImportContactsAsync(TenantId tenant, string importId, ImportSubset subset, string? afterContactId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Saves a new script.</summary>
    Task AddScriptAsync(TenantId tenant, Script script, DateTimeOffset createdAt, CancellationToken cancellationToken = default);

    /// <summary>Reads a script.</summary>
    Task<Script?> GetScriptAsync(TenantId tenant, string scriptId, CancellationToken cancellationToken = default);

    /// <summary>Lists a tenant's scripts, oldest first.</summary>
    Task<IReadOnlyList<Script>> ListScriptsAsync(TenantId tenant, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that these contacts are about to be sent to (or were skipped). A contact that already
    /// has a fact for the campaign keeps it: the facts of a campaign hold each contact at most once.
    /// Returns the facts as stored after the call, so a resumed send sees what already happened.
    /// </summary>
    Task<IReadOnlyList<DeliveryFact>> ClaimAsync(TenantId tenant, string campaignId, IReadOnlyList<DeliveryFact> facts, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the facts of a page no earlier call wrote, each final as it stands (skipped with its
    /// reason, waiting until its window opens, or the provider's answer), in one transaction: the one
    /// write of a fresh page, where <see cref="ClaimAsync"/> then <see cref="RecordSendsAsync"/> write
    /// each fact twice. A contact that already has a fact for the campaign keeps it.
    /// </summary>
    Task InsertFactsAsync(TenantId tenant, string campaignId, IReadOnlyList<NewFact> facts, CancellationToken cancellationToken = default);

    /// <summary>
    /// The highest contact id (ordinal) with a fact for the campaign after <paramref name="after"/>
    /// (after the first contact when null), or null when there is none: a send resuming at its cursor
    /// knows which pages an interrupted run had already written.
    /// </summary>
    Task<string?> LastFactAfterAsync(TenantId tenant, string campaignId, string? after, CancellationToken cancellationToken = default);

    /// <summary>Writes the outcome of a batch of sends in one transaction.</summary>
    Task RecordSendsAsync(TenantId tenant, string campaignId, IReadOnlyList<SendOutcome> outcomes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a carrier delivery report for the message <paramref name="messageId"/> of
    /// <paramref name="campaignId"/> to <paramref name="contactId"/> (the report's client reference, see
    /// <see cref="Channels.ClientReference"/>): the fact is found by its key, and the message id must be the
    /// one the fact holds. Returns the fact it changed, or null when there is no such message or the report
    /// repeats one already recorded.
    /// </summary>
    Task<DeliveryFact?> RecordDeliveryAsync(TenantId tenant, string campaignId, string contactId, string messageId, bool delivered, string? reason, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a contact's response to a campaign (an answer, an invalid answer, an opt-out or a pause).
    /// The first response sets <see cref="DeliveryFact.FirstResponseAt"/>; an answer replaces the step's earlier one.
    /// Returns the fact after the change, or null when the contact has no fact in the campaign.
    /// </summary>
    Task<DeliveryFact?> RecordResponseAsync(TenantId tenant, string campaignId, string contactId, FactResponse response, CancellationToken cancellationToken = default);

    /// <summary>Streams a campaign's facts ordered by contact id, without holding them in memory.</summary>
    IAsyncEnumerable<DeliveryFact> ReadFactsAsync(TenantId tenant, string campaignId, CancellationToken cancellationToken = default);

    /// <summary>Sets a contact's status on a channel; <paramref name="pausedUntil"/> is the automatic resume time of a pause (null: indefinitely). Returns false when the contact does not exist.</summary>
    Task<bool> SetChannelStatusAsync(TenantId tenant, string contactId, ChannelKind channel, ChannelStatus status, DateTimeOffset? pausedUntil, CancellationToken cancellationToken = default);

    /// <summary>
    /// A contact's most recent facts on a channel whose message left and was not reported failed
    /// (sent or delivered), newest send first: the campaigns a reply from the contact may belong to.
    /// </summary>
    Task<IReadOnlyList<DeliveryFact>> ReadContactFactsAsync(TenantId tenant, string contactId, ChannelKind channel, int limit, CancellationToken cancellationToken = default);

    /// <summary>The contact whose address on a channel is <paramref name="address"/> (an E.164 phone, an email, a web-chat session), or null.</summary>
    Task<Contact?> FindContactByAddressAsync(TenantId tenant, ChannelKind channel, string address, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a contact unless a contact already has its address on <paramref name="channel"/>, in one
    /// transaction (two messages from one new number make one contact). Returns the stored contact and whether it was added.
    /// </summary>
    Task<(Contact Contact, bool Created)> AddContactAsync(TenantId tenant, Contact contact, ChannelKind channel, CancellationToken cancellationToken = default);

    /// <summary>Counts a campaign's facts by status.</summary>
    Task<FactCounts> CountFactsAsync(TenantId tenant, string campaignId, CancellationToken cancellationToken = default);

    /// <summary>Every row of a tenant's campaign list as last saved (the reporting read model).</summary>
    Task<IReadOnlyList<Campaigns.CampaignRow>> ListCampaignRowsAsync(TenantId tenant, CancellationToken cancellationToken = default);

    /// <summary>Saves (inserts or replaces) rows of a tenant's campaign list and deletes <paramref name="removed"/>, in one transaction.</summary>
    Task SaveCampaignRowsAsync(TenantId tenant, IReadOnlyList<Campaigns.CampaignRow> rows, IReadOnlyList<string> removed, CancellationToken cancellationToken = default);

    /// <summary>A send's list figures counted from its facts.</summary>
    Task<CampaignFigures> CountFiguresAsync(TenantId tenant, string campaignId, CancellationToken cancellationToken = default);

    /// <summary>The list figures of every send of a tenant that has facts, in one pass.</summary>
    Task<IReadOnlyDictionary<string, CampaignFigures>> CountFiguresByCampaignAsync(TenantId tenant, CancellationToken cancellationToken = default);

    /// <summary>A page of a campaign's facts after <paramref name="afterContactId"/>, ordered by contact id, with the contacts' names.</summary>
    Task<IReadOnlyList<ReportFact>> ReadReportFactsAsync(TenantId tenant, string campaignId, string? afterContactId, int limit, CancellationToken cancellationToken = default);

    /// <summary>A campaign's facts with the contacts' names, read page by page so nothing is held whole.</summary>
    IAsyncEnumerable<ReportFact> StreamReportFactsAsync(TenantId tenant, string campaignId, int pageSize = 1000, CancellationToken cancellationToken = default);

    /// <summary>Per introductory row id (<c>intro-{trigger}-{scriptId}</c>): contacts introduced in [<paramref name="from"/>, <paramref name="before"/>) and how many of them responded.</summary>
    Task<IReadOnlyDictionary<string, (int Introduced, int Responded)>> CountIntroductionsAsync(TenantId tenant, DateTimeOffset? from, DateTimeOffset? before, CancellationToken cancellationToken = default);

    /// <summary>Remembers that a grain must be woken at a time, surviving restarts.</summary>
    Task SetDueAsync(string grainKey, DateTimeOffset dueAt, CancellationToken cancellationToken = default);

    /// <summary>Forgets a due time.</summary>
    Task ClearDueAsync(string grainKey, CancellationToken cancellationToken = default);

    /// <summary>Every remembered due time.</summary>
    Task<IReadOnlyList<(string GrainKey, DateTimeOffset DueAt)>> ListDueAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Remembered due times at or before <paramref name="until"/>, ordered by time then key, after the
    /// row <paramref name="after"/> (keyset paging), at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<(string GrainKey, DateTimeOffset DueAt)>> ListDueBeforeAsync(DateTimeOffset until, (DateTimeOffset DueAt, string GrainKey)? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that an instance of a recurring schedule sends to these contacts (the ledger of a schedule
    /// whose contacts may receive it only once). Returns the contacts an earlier instance already owns;
    /// a repeat by the same instance owns its contacts again.
    /// </summary>
    Task<IReadOnlySet<string>> ClaimScheduleRecipientsAsync(TenantId tenant, string scheduleId, string campaignId, IReadOnlyList<string> contactIds, CancellationToken cancellationToken = default);

    /// <summary>Holds pending sends until their contacts' sending window opens (status <see cref="DeliveryStatus.Waiting"/>).</summary>
    Task HoldAsync(TenantId tenant, string campaignId, IReadOnlyList<(string ContactId, DateTimeOffset Until)> waits, CancellationToken cancellationToken = default);

    /// <summary>Turns waiting sends whose time has come back into pending ones and returns pending facts (at most <paramref name="limit"/>, by contact id).</summary>
    Task<IReadOnlyList<DeliveryFact>> ReleaseDueAsync(TenantId tenant, string campaignId, DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>The earliest time a waiting send of the campaign may go, or null when none waits.</summary>
    Task<DateTimeOffset?> NextWaitAsync(TenantId tenant, string campaignId, CancellationToken cancellationToken = default);

    /// <summary>Marks pending or waiting sends as skipped, with their reasons.</summary>
    Task SkipPendingAsync(TenantId tenant, string campaignId, IReadOnlyList<(string ContactId, string Reason)> skips, CancellationToken cancellationToken = default);

    /// <summary>Reads several contacts (the ones that exist).</summary>
    Task<IReadOnlyList<Contact>> GetContactsAsync(TenantId tenant, IReadOnlyList<string> contactIds, CancellationToken cancellationToken = default);
}

/// <summary>
/// Reads and writes of one import, inside its transaction, a batch of rows at a time: the importer
/// asks for every contact a batch could match in one call, matches in memory, and writes the batch's
/// contacts and membership rows in another.
/// </summary>
public interface IImportSession
{
    /// <summary>
    /// Every contact holding one of these external ids, phones or emails (exact values), each with the
    /// line at which import <paramref name="importId"/> already touched it, if it did.
    /// </summary>
    Task<IReadOnlyList<ImportCandidate>> FindCandidatesAsync(string importId, IReadOnlyCollection<string> externalIds, IReadOnlyCollection<string> phones, IReadOnlyCollection<string> emails);

    /// <summary>
    /// Inserts the created contacts, updates the updated ones (names, addresses, time zone, external id,
    /// fields, labels, phone flags; never channels, pauses or archiving) and records each as touched by
    /// import <paramref name="importId"/> at its line.
    /// </summary>
    Task WriteAsync(string importId, IReadOnlyList<ImportedContact> contacts);

    /// <summary>Records the import itself.</summary>
    Task AddImportAsync(string importId, string? label, DateTimeOffset at, int created, int updated, int skipped);
}

/// <summary>A contact an import row may match, and the line at which the same import already touched it (null when it has not).</summary>
public sealed record ImportCandidate(Contact Contact, int? Line);

/// <summary>A contact as an import leaves it: created or updated, whether its phone changed, and the line of the file that did it.</summary>
public sealed record ImportedContact(Contact Contact, bool Created, bool PhoneChanged, int Line);

/// <summary>How a contact fared in one campaign.</summary>
public enum DeliveryStatus
{
    /// <summary>Claimed for sending; not yet handed to the provider.</summary>
    Pending,

    /// <summary>Not sent (opted out, paused, no address); <see cref="DeliveryFact.Reason"/> says why.</summary>
    Skipped,

    /// <summary>Handed to the provider.</summary>
    Sent,

    /// <summary>The carrier reported delivery.</summary>
    Delivered,

    /// <summary>The provider refused it or the carrier reported failure.</summary>
    Failed,

    /// <summary>Held by the tenant's sending hours until the contact's local window opens.</summary>
    Waiting,
}

/// <summary>One contact's fact in one campaign.</summary>
public sealed record DeliveryFact(
    string ContactId,
    ChannelKind Channel,
    string? Address,
    DeliveryStatus Status,
    string? Reason = null,
    string? MessageId = null,
    DateTimeOffset? SentAt = null,
    DateTimeOffset? DeliveredAt = null,
    string? CampaignId = null,
    DateTimeOffset? FirstResponseAt = null,
    int InvalidResponses = 0,
    bool OptedOut = false,
    bool Paused = false,
    IReadOnlyDictionary<string, string>? Answers = null)
{
    /// <summary>Whether the contact responded to the campaign at all: an answer (valid or not), an opt-out or a pause.</summary>
    public bool Responded => FirstResponseAt is not null;
}

/// <summary>
/// One response of a contact to a campaign. <see cref="StepId"/> with <see cref="Answer"/> is a valid
/// answer to that question; <see cref="Invalid"/> an answer that matched nothing; <see cref="OptedOut"/>
/// and <see cref="Paused"/> a keyword. Every kind counts as a response.
/// </summary>
public sealed record FactResponse(DateTimeOffset At, string? StepId = null, string? Answer = null, bool Invalid = false, bool OptedOut = false, bool Paused = false)
{
    /// <summary>The fact-store side of a conversation's response.</summary>
    public static FactResponse From(Conversations.ContactResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return new(response.At, response.StepId, response.Answer, response.Invalid, response.OptedOut, response.Paused);
    }
}

/// <summary>
/// A fact written once, final (<see cref="ICampaignStore.InsertFactsAsync"/>): skipped with its
/// reason, waiting until <see cref="WaitUntil"/>, or sent or failed at <see cref="SentAt"/> with the provider's answer.
/// </summary>
public readonly record struct NewFact(
    string ContactId,
    ChannelKind Channel,
    string? Address,
    DeliveryStatus Status,
    string? Reason = null,
    string? MessageId = null,
    DateTimeOffset? SentAt = null,
    DateTimeOffset? WaitUntil = null);

/// <summary>The result of handing one claimed message to its provider.</summary>
public sealed record SendOutcome(string ContactId, bool Accepted, string? MessageId, string? FailureReason, DateTimeOffset At);

/// <summary>A campaign's facts counted by status.</summary>
public sealed record FactCounts(int Pending, int Skipped, int Sent, int Delivered, int Failed, int Waiting = 0, int Responded = 0, int OptedOut = 0, int Paused = 0, int InvalidResponses = 0)
{
    /// <summary>Contacts sent to or attempted: sent, delivered and failed alike (carrier failures count as sent).</summary>
    public int Attempted => Sent + Delivered + Failed;
}
