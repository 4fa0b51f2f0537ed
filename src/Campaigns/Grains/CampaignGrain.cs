using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Hosting;
using Campaigns.Scheduling;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Campaigns.Grains;

[GenerateSerializer, Alias("Campaigns.CampaignState")]
internal sealed class CampaignState
{
    [Id(0)] public CampaignRequest? Request { get; set; }
    [Id(1)] public Script? Script { get; set; }
    [Id(2)] public CampaignStatus Status { get; set; }
    [Id(3)] public DateTimeOffset SendAt { get; set; }
    [Id(4)] public DateTimeOffset? StartedAt { get; set; }
    [Id(5)] public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The last contact id whose fact is final: the fan-out resumes after it.</summary>
    [Id(6)] public string? Cursor { get; set; }

    /// <summary>Contacts sent to or attempted among those up to <see cref="Cursor"/>.</summary>
    [Id(7)] public int Attempted { get; set; }

    /// <summary>Contacts skipped among those up to <see cref="Cursor"/>.</summary>
    [Id(8)] public int Skipped { get; set; }

    /// <summary>Whether the reminder (<see cref="CampaignRequest.ReminderAfterHours"/>) went.</summary>
    [Id(20)] public bool Reminded { get; set; }

    /// <summary>The schedule and occurrence this campaign is an instance of; null for a one-time campaign.</summary>
    [Id(9)] public RecurringInstance? Instance { get; set; }

    /// <summary>Every recipient has a fact: what is left are sends waiting for their sending window.</summary>
    [Id(10)] public bool RecipientsExhausted { get; set; }
}

/// <summary>
/// One send of a script, keyed <c>{tenant}/{campaign}</c>. Sends now or at its time, fanning
/// out in pages behind a durable cursor: each page is claimed in the facts store (one fact per
/// contact per campaign) before anything leaves, so a resumed fan-out never messages a contact twice.
/// </summary>
internal sealed partial class CampaignGrain(
    [PersistentState("campaign", CampaignsDefaults.StorageName)] IPersistentState<CampaignState> state,
    ICampaignStore store,
    ChannelDispatcher dispatcher,
    DueWorkScheduler scheduler,
    IOptions<CampaignsOptions> options,
    ILogger<CampaignGrain> logger) : Grain, ICampaignGrain, ITenantOwned
{
    private DateTimeOffset _lastProgress;
    private bool _continuing;

    // The key is fixed for an activation: parsed once (the tenant guard and every store call read it).
    private TenantId? _owner;
    private string? _campaignId;

    // Grain references, made once per activation (each GetGrain resolves the interface's type by reflection).
    private ITenantIndexGrain? _index;
    private ITenantGrain? _tenant;

    public TenantId Owner => _owner ??= TenantId.TryFromKey(this.GetPrimaryKeyString(), out var tenant, out _) ? tenant : throw new InvalidOperationException("Bad campaign key.");

    private ITenantGrain TenantReference => _tenant ??= GrainReferences.Get<ITenantGrain>(GrainFactory, Owner.Value);

    private string CampaignId => _campaignId ??= this.GetPrimaryKeyString()[(Owner.Value.Length + 1)..];

    private DateTimeOffset Now => options.Value.TimeProvider.GetUtcNow();

    public Task Create(CampaignRequest request, Script script) => CreateAsync(request, script, null);

    public async Task CreateInstance(CampaignRequest request, Script script, RecurringInstance instance)
    {
        if (state.State.Request is not null && state.State.Instance == instance)
        {
            // The schedule repeated a tick it had already acted on: this occurrence exists once.
            return;
        }

        await CreateAsync(request, script, instance);
    }

    private async Task CreateAsync(CampaignRequest request, Script script, RecurringInstance? instance)
    {
        if (state.State.Request is not null)
        {
            throw new ConflictException($"Campaign '{CampaignId}' already exists.");
        }

        state.State.Request = request;
        state.State.Script = script;
        state.State.Instance = instance;
        state.State.Status = CampaignStatus.Scheduled;
        state.State.SendAt = instance?.At ?? (request.Schedule.Kind == ScheduleKind.Once && request.Schedule.SendAt is { } at ? at : Now);
        var startNow = state.State.SendAt <= Now;
        if (startNow)
        {
            // Due already (a send-now campaign, a recurring instance on its time): saved once, as sending.
            state.State.Status = CampaignStatus.Sending;
            state.State.StartedAt = Now;
        }

        try
        {
            // The due time is written first: a crash before the state leaves a due row that the next wake clears.
            await store.SetDueAsync(this.GetPrimaryKeyString(), state.State.SendAt);
            await state.WriteStateAsync();
        }
        catch
        {
            // Nothing was saved: forget the campaign in memory too, or a retried create (a schedule's next wake)
            // would take this activation for a campaign that exists, and the instance would never start.
            state.State = new CampaignState();
            throw;
        }

        // Created by this activation: no earlier run can have written a fact of it.
        _allFactsFinal = true;
        if (startNow && instance is not null && Now - instance.At <= InlineLateness)
        {
            // A recurring instance on its time: its first page goes in this call, before the schedule saves and moves
            // on, and the page's end publishes the row (the schedule's upcoming row stands for it until then). A page
            // that fails goes on by itself (Continue arms the retry), so the instance exists either way. The page is
            // at most InlinePageSize contacts, so a slow provider holds the schedule's wake for a hundred sends, not
            // a thousand; the pages after it go on in turns of their own.
            _pageLimit = InlinePageSize;

            // Nothing can have written a fact of a campaign this call created, so its first page is fresh and goes as
            // any fresh page does: sent, then written once (one transaction, not a claim and a record), and claimed
            // first only if the provider starts to wait.
            (_answersAtOnce, _writtenUpTo) = (true, string.Empty);
            await Continue();
            if (_failures > 0)
            {
                await PublishRowAsync();
            }

            return;
        }

        if (startNow)
        {
            ScheduleContinue();
        }
        else
        {
            scheduler.Arm(this.GetPrimaryKeyString(), state.State.SendAt);
        }

        await PublishRowAsync();
    }

    public async Task<CampaignDetails?> Get()
    {
        if (state.State.Request is not { } request)
        {
            return null;
        }

        var counts = await store.CountFactsAsync(Owner, CampaignId);
        return new CampaignDetails(Row(), request, counts.Skipped, counts.Failed, counts.Delivered);
    }

    public Task<CampaignDetails?> Peek() => Get();

    public async Task Cancel()
    {
        switch (state.State.Status)
        {
            case CampaignStatus.Cancelled:
                return;
            case CampaignStatus.Scheduled when state.State.Request is not null:
                state.State.Status = CampaignStatus.Cancelled;
                await state.WriteStateAsync();
                scheduler.Disarm(this.GetPrimaryKeyString());
                await store.ClearDueAsync(this.GetPrimaryKeyString());
                await PublishRowAsync();
                return;
            case CampaignStatus.Scheduled:
                throw new NotFoundException($"Campaign '{CampaignId}' was not found.");
            default:
                throw new ConflictException($"Campaign '{CampaignId}' has already started sending and cannot be cancelled.");
        }
    }

    public async Task Wake()
    {
        switch (state.State.Status)
        {
            case CampaignStatus.Scheduled when state.State.Request is not null && state.State.SendAt <= Now:
                await StartAsync();
                break;
            case CampaignStatus.Scheduled when state.State.Request is not null:
                scheduler.Arm(this.GetPrimaryKeyString(), state.State.SendAt);
                break;
            case CampaignStatus.Sending when !_continuing || Now - _lastProgress > options.Value.SweepInterval:
                // Nothing is driving this send in this activation (it was deactivated or a continuation was lost).
                ScheduleContinue();
                break;
            case CampaignStatus.Sent when ReminderDue is { } remindAt && remindAt <= Now:
                await RemindAsync();
                break;
            case CampaignStatus.Sent when ReminderDue is { } remindAt:
                scheduler.Arm(this.GetPrimaryKeyString(), remindAt);
                break;
            case CampaignStatus.Sent or CampaignStatus.Cancelled:
            case CampaignStatus.Scheduled when state.State.Request is null:
                // Done, or a due time left behind by a create that crashed before the campaign was written.
                await store.ClearDueAsync(this.GetPrimaryKeyString());
                break;
        }
    }

    public async Task Continue()
    {
        _continuing = false;
        _finishedWith = null;
        if (state.State.Status != CampaignStatus.Sending)
        {
            return;
        }

        try
        {
            if (_unrecorded is { } unrecorded)
            {
                // Messages that left before a failed write: recorded before anything else is read or sent.
                await unrecorded();
                _unrecorded = null;
            }

            await ContinueSendingAsync();
            _failures = 0;
        }
        catch (Exception ex)
        {
            // Continue is one-way: nobody sees this exception, so the send goes on by itself after a short,
            // growing pause (a store busy past its timeout, a grain call timing out). What this activation
            // knew about the pages ahead may be stale now: the next page is claimed before it leaves, so
            // nothing a failed turn sent goes twice.
            _failures++;
            if (_finishedWith is { } etag && state.Etag == etag)
            {
                // The write that would have finished the campaign was not saved: it is still sending (and the next
                // turn finishes it), not sent in memory only, which would leave it sending in the store for good.
                (state.State.Status, state.State.FinishedAt) = (CampaignStatus.Sending, null);
            }

            _finishedWith = null;
            _allFactsFinal = false;
            _answersAtOnce = false;
            _writtenUpTo = null;
            _continuing = false;
            if (_readAhead is { } ahead)
            {
                // Read before the failure: the retry, maybe seconds later, reads its contacts again.
                ForgetReadAhead(ahead.Page);
                _readAhead = null;
            }

            _lastProgress = Now;
            var delay = RetryDelay(_failures);
            LogContinueFailed(logger, ex, Owner.Value, CampaignId, _failures, delay.TotalMilliseconds);
            if (ex is InconsistentStateException)
            {
                // The stored state moved under this activation: the next one reads it.
                DeactivateOnIdle();
            }

            scheduler.Arm(this.GetPrimaryKeyString(), Now + delay);
        }
    }

    /// <summary>The pause before the send tries again after its <paramref name="failures"/>th failure in a row: 100 ms doubling, at most 5 s.</summary>
    internal static TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures - 1, 16))));

    /// <summary>Failures of <see cref="Continue"/> in a row (reset by a turn that succeeds).</summary>
    private int _failures;

    /// <summary>
    /// The write that records messages the provider already took, while it has not succeeded: the next
    /// turn runs it first, so a failed write neither loses those messages' facts nor sends them again.
    /// </summary>
    private Func<Task>? _unrecorded;

    /// <summary>Runs a write that records messages already handed to the provider, remembering it until it succeeds.</summary>
    private async Task RecordAsync(Func<Task> write)
    {
        _unrecorded = write;
        await write();
        _unrecorded = null;
    }

    private async Task ContinueSendingAsync()
    {
        if (!state.State.RecipientsExhausted)
        {
            if (!await SendPageAsync())
            {
                _lastProgress = Now;
                ScheduleContinue();
                await PublishRowAsync();
                return;
            }

            if (state.State.Status == CampaignStatus.Sent)
            {
                // Finished with its last page's write (FinishWithPage): nothing waits, so there is nothing to release.
                await SettleDueAsync();
                LogFinished(logger, Owner.Value, CampaignId, state.State.Attempted, state.State.Skipped);
                await PublishRowAsync();
                return;
            }

            if (!state.State.RecipientsExhausted)
            {
                state.State.RecipientsExhausted = true;
                await state.WriteStateAsync();
            }
        }

        // Every recipient has a fact; send those whose window has opened (and any left pending by an interruption).
        var more = await SendReleasedAsync();
        _lastProgress = Now;
        if (more)
        {
            ScheduleContinue();
        }
        else if (await store.NextWaitAsync(Owner, CampaignId) is { } opening)
        {
            // Contacts wait for their sending window: the campaign stays sending and comes back when the first one opens.
            await store.SetDueAsync(this.GetPrimaryKeyString(), opening);
            scheduler.Arm(this.GetPrimaryKeyString(), opening);
        }
        else
        {
            _finishedWith = state.Etag;
            state.State.Status = CampaignStatus.Sent;
            state.State.FinishedAt = Now;
            await state.WriteStateAsync();
            await SettleDueAsync();
            LogFinished(logger, Owner.Value, CampaignId, state.State.Attempted, state.State.Skipped);
        }

        await PublishRowAsync();
    }

    private async Task StartAsync()
    {
        state.State.Status = CampaignStatus.Sending;
        state.State.StartedAt = Now;
        await state.WriteStateAsync();
        await PublishRowAsync();
        ScheduleContinue();
    }

    private void ScheduleContinue()
    {
        _continuing = true;
        _lastProgress = Now;
        TenantContext.Set(Owner);
        _ = this.AsReference<ICampaignGrain>().Continue();
    }

    /// <summary>Sends one page; true when the recipients are exhausted.</summary>
    private async Task<bool> SendPageAsync()
    {
        var request = state.State.Request!;
        var pageSize = Math.Min(options.Value.FanOutPageSize, _pageLimit);
        _pageLimit = int.MaxValue;
        var contacts = await NextRecipientsPageAsync(request.Recipients, state.State.Cursor, pageSize);
        if (contacts.Count == 0)
        {
            return true;
        }

        TenantContext.Set(Owner);
        var route = dispatcher.Resolve(await TenantReference.GetChannels(), request.Channel);
        var now = Now;
        var intended = contacts.Select(c => Intend(c, request.Channel, route is not null, now)).ToList();
        if (state.State.Instance is { AllowRepeatRecipients: false } instance)
        {
            // The schedule's ledger: a contact an earlier instance reached is skipped by this one.
            var taken = await store.ClaimScheduleRecipientsAsync(
                Owner, instance.ScheduleId, CampaignId, intended.Where(f => f.Status == DeliveryStatus.Pending).Select(f => f.ContactId).ToList());
            intended = intended.Select(f => taken.Contains(f.ContactId) ? f with { Status = DeliveryStatus.Skipped, Reason = AlreadyReceived } : f).ToList();
        }

        var byId = contacts.ToDictionary(c => c.ContactId, StringComparer.Ordinal);
        IReadOnlyList<DeliveryFact> claimed;
        HashSet<string> held;
        if (_answersAtOnce && await IsFreshAsync(contacts[0].ContactId))
        {
            // No earlier run wrote any of this page and the provider answered the last page at once:
            // send, then write each fact once, final (claiming first if the provider starts to wait).
            // The next page is read meanwhile on the other core; it is sent only after this page's facts.
            if (contacts.Count == pageSize)
            {
                ReadAhead(request.Recipients, contacts[^1].ContactId, options.Value.FanOutPageSize);
            }

            claimed = intended;
            held = await SendFreshAsync(route, intended, byId);
        }
        else
        {
            // Claim first: a resumed page's messages that already went are not sent again, and a slow
            // provider's page shows its contacts (pending) while it works through them.
            claimed = await store.ClaimAsync(Owner, CampaignId, intended);
            held = await SendInWindowAsync(route, claimed.Where(f => f.Status == DeliveryStatus.Pending).ToList(), byId);
        }

        foreach (var fact in claimed)
        {
            if (fact.Status == DeliveryStatus.Skipped)
            {
                state.State.Skipped++;
            }
            else if (fact.Status != DeliveryStatus.Waiting && !held.Contains(fact.ContactId))
            {
                state.State.Attempted++;
            }
        }

        state.State.Cursor = contacts[^1].ContactId;

        // A short page is the last: saved with the cursor, not in a write of its own.
        state.State.RecipientsExhausted = contacts.Count < pageSize;
        FinishWithPage(claimed, held);
        await state.WriteStateAsync();
        return contacts.Count < pageSize;
    }

    /// <summary>The largest first page a recurring instance sends within its schedule's wake.</summary>
    internal const int InlinePageSize = 100;

    /// <summary>
    /// How late a recurring instance may start and still send its first page within its schedule's wake. A later one
    /// (a catch-up after downtime, woken by the sweep a few at a time) sends in turns of its own, so the catch-up of
    /// many schedules is not paced by the provider's speed.
    /// </summary>
    internal static readonly TimeSpan InlineLateness = TimeSpan.FromMinutes(1);

    /// <summary>A cap on the next page's size (the first page of a recurring instance, sent within the schedule's wake).</summary>
    private int _pageLimit = int.MaxValue;

    private const string AlreadyReceived = "received an earlier send of this recurring campaign";

    /// <summary>
    /// The highest contact id after the activation's cursor that already has a fact (written by a run
    /// this activation resumes), read once per activation; <see cref="string.Empty"/> when there is none.
    /// This activation is the campaign's only writer, so pages past it are fresh.
    /// </summary>
    private string? _writtenUpTo;

    /// <summary>
    /// Whether the provider answered every message of the last page sent at once (a queue, an in-process
    /// outbox): then the next fresh page is written once, after its sends. False at activation, so the
    /// first page is always claimed before it leaves.
    /// </summary>
    private bool _answersAtOnce;

    /// <summary>Whether no fact of the page starting at <paramref name="firstContactId"/> can exist yet.</summary>
    private async Task<bool> IsFreshAsync(string firstContactId)
    {
        _writtenUpTo ??= await store.LastFactAfterAsync(Owner, CampaignId, state.State.Cursor) ?? string.Empty;
        return string.CompareOrdinal(firstContactId, _writtenUpTo) > 0;
    }

    /// <summary>
    /// Sends the pending facts whose contacts' sending window is open and holds the others until it
    /// opens (status waiting, with a durable time), for facts already claimed. Returns the contacts held.
    /// </summary>
    private async Task<HashSet<string>> SendInWindowAsync(
        (IChannelProvider Provider, IReadOnlyDictionary<string, string> Settings)? route, List<DeliveryFact> pending, Dictionary<string, Contact> byId)
    {
        var (due, waits) = await SplitByWindowAsync(route, pending, byId);
        var (owner, campaignId) = (Owner, CampaignId);
        await store.HoldAsync(owner, campaignId, waits);
        var (sent, at, atOnce) = await SendDueAsync(route, due, byId, beforeWaiting: null);
        if (due.Count > 0)
        {
            _answersAtOnce = atOnce;
        }

        var results = Outcomes(due, sent, at);
        await RecordAsync(() => store.RecordSendsAsync(owner, campaignId, results));
        return waits.Select(w => w.ContactId).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// A fresh page: sends its pending facts whose window is open, then writes every fact of the page
    /// once, final (skipped, waiting until its window opens, sent or failed). Returns the contacts held.
    /// A reply cannot miss a fact this way: a conversation routes a reply only to a fact with a send time,
    /// which the claim did not have either, and hands it to this grain, which takes it after the page.
    /// </summary>
    private async Task<HashSet<string>> SendFreshAsync(
        (IChannelProvider Provider, IReadOnlyDictionary<string, string> Settings)? route, List<DeliveryFact> intended, Dictionary<string, Contact> byId)
    {
        var pending = intended.Where(f => f.Status == DeliveryStatus.Pending).ToList();
        var (due, waits) = await SplitByWindowAsync(route, pending, byId);

        // The provider started to wait on something (a network call): from here the page behaves as a
        // claimed one, its facts written as pending before this grain waits for the provider.
        var (owner, campaignId) = (Owner, CampaignId);
        var claimed = false;
        var claimFailed = false;
        var (sent, at, atOnce) = await SendDueAsync(route, due, byId, beforeWaiting: async () =>
        {
            try
            {
                await store.ClaimAsync(owner, campaignId, intended);
                claimed = true;
            }
            catch (Exception ex)
            {
                // Messages of this page already left: the page goes on and is written once at its end, as if the
                // provider had answered at once (a failed claim wrote nothing; the write below makes sure of it).
                claimFailed = true;
                LogClaimFailed(logger, ex, owner.Value, campaignId);
            }
        });
        _answersAtOnce = atOnce;
        // A claimed page's waits and outcomes, written over its pending rows.
        async Task RecordClaimedAsync()
        {
            var results = Outcomes(due, sent, at);
            await store.HoldAsync(owner, campaignId, waits);
            await store.RecordSendsAsync(owner, campaignId, results);
        }

        if (claimed)
        {
            await RecordAsync(RecordClaimedAsync);
            return waits.Select(w => w.ContactId).ToHashSet(StringComparer.Ordinal);
        }

        // Due and waits are subsequences of the page in its order: one walk pairs each fact with its outcome.
        var rows = new NewFact[intended.Count];
        int d = 0, w = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var f = intended[i];
            if (f.Status != DeliveryStatus.Pending)
            {
                rows[i] = new NewFact(f.ContactId, f.Channel, f.Address, f.Status, f.Reason);
            }
            else if (w < waits.Count && string.Equals(waits[w].ContactId, f.ContactId, StringComparison.Ordinal))
            {
                rows[i] = new NewFact(f.ContactId, f.Channel, f.Address, DeliveryStatus.Waiting, WaitUntil: waits[w++].Until);
            }
            else if (d < due.Count && string.Equals(due[d].ContactId, f.ContactId, StringComparison.Ordinal))
            {
                var result = sent[d++];
                rows[i] = new NewFact(f.ContactId, f.Channel, f.Address, result.Accepted ? DeliveryStatus.Sent : DeliveryStatus.Failed, result.FailureReason, result.MessageId, at);
            }
            else
            {
                // No route: nothing was sent (Intend already skips every contact then); left pending, a later pass sends it.
                rows[i] = new NewFact(f.ContactId, f.Channel, f.Address, DeliveryStatus.Pending);
            }
        }

        await RecordAsync(async () =>
        {
            await store.InsertFactsAsync(owner, campaignId, rows);
            if (claimFailed)
            {
                // Had the failed claim been written after all, its pending rows would keep the insert out: finish them.
                await RecordClaimedAsync();
            }
        });
        return waits.Select(x => x.ContactId).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The provider's answers for the due facts, in order, as outcomes to record.</summary>
    private static SendOutcome[] Outcomes(List<DeliveryFact> due, SendResult[] sent, DateTimeOffset at)
    {
        var outcomes = new SendOutcome[due.Count];
        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = new SendOutcome(due[i].ContactId, sent[i].Accepted, sent[i].MessageId, sent[i].FailureReason, at);
        }

        return outcomes;
    }

    /// <summary>Splits pending facts into those whose contact's sending window is open now and those held until it opens.</summary>
    private async Task<(List<DeliveryFact> Due, List<(string ContactId, DateTimeOffset Until)> Waits)> SplitByWindowAsync(
        (IChannelProvider Provider, IReadOnlyDictionary<string, string> Settings)? route, List<DeliveryFact> pending, Dictionary<string, Contact> byId)
    {
        var due = new List<DeliveryFact>(pending.Count);
        var waits = new List<(string, DateTimeOffset)>();
        if (route is null || pending.Count == 0)
        {
            return (due, waits);
        }

        var tenant = await TenantSettingsAsync();
        var hours = tenant.EffectiveSendingHours;
        if (SendingWindow.IsAllDay(hours))
        {
            // Open everywhere: no contact's zone is needed.
            due.AddRange(pending);
            return (due, waits);
        }

        // The window's next opening depends only on the zone, and a page has few: each is worked out once.
        var now = Now;
        var openings = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var fact in pending)
        {
            var zone = SendingWindow.ZoneOf(byId[fact.ContactId], tenant);
            if (!openings.TryGetValue(zone, out var opening))
            {
                openings[zone] = opening = SendingWindow.NextOpening(hours, zone, now);
            }

            if (opening > now)
            {
                waits.Add((fact.ContactId, opening));
            }
            else
            {
                due.Add(fact);
            }
        }

        return (due, waits);
    }

    /// <summary>
    /// Renders and hands each due fact's message to the provider; returns the answers (in order), the
    /// time after the last, and whether the provider answered every one at once.
    /// <paramref name="beforeWaiting"/> runs once, before the first wait for a provider's answer.
    /// </summary>
    private async Task<(SendResult[] Results, DateTimeOffset At, bool AtOnce)> SendDueAsync(
        (IChannelProvider Provider, IReadOnlyDictionary<string, string> Settings)? route, List<DeliveryFact> due, Dictionary<string, Contact> byId, Func<Task>? beforeWaiting)
    {
        if (route is not { } r || due.Count == 0)
        {
            return ([], Now, true);
        }

        var (owner, campaignId) = (Owner, CampaignId);
        var request = state.State.Request!;
        var steps = ScriptPath.Opening(state.State.Script!);
        var waited = false;
        var sent = await SendAllAsync(due.Count, options.Value.SendConcurrency, async () =>
        {
            if (!waited)
            {
                waited = true;
                if (beforeWaiting is not null)
                {
                    await beforeWaiting();
                }
            }
        }, i =>
        {
            var fact = due[i];
            var contact = byId[fact.ContactId];
            var text = ScriptText.Render(steps, contact);
            var message = new OutboundMessage(owner, campaignId, contact.ContactId, request.Channel, fact.Address!, text, ClientReference.For(campaignId, contact.ContactId));
            return ChannelDispatcher.SendAsync(r.Provider, r.Settings, message, CancellationToken.None);
        });
        return (sent, Now, !waited);
    }

    /// <summary>
    /// Hands messages to the provider with at most <paramref name="concurrency"/> in flight. A provider
    /// that answers at once (a queue, an in-process outbox) costs no thread hop per message, which
    /// Parallel.ForAsync did; one that awaits the network has up to <paramref name="concurrency"/> calls open.
    /// <paramref name="waiting"/> runs before each call whose answer has to be waited for is put in flight.
    /// </summary>
    private static async Task<SendResult[]> SendAllAsync(int count, int concurrency, Func<Task> waiting, Func<int, Task<SendResult>> send)
    {
        var results = new SendResult[count];
        var inFlight = new List<(int Index, Task<SendResult> Send)>();
        for (var i = 0; i < count; i++)
        {
            var task = send(i);
            if (task.IsCompleted)
            {
                results[i] = await task;
                continue;
            }

            await waiting();
            inFlight.Add((i, task));
            if (inFlight.Count >= concurrency)
            {
                await Task.WhenAny(inFlight.Select(f => f.Send));
                for (var j = inFlight.Count - 1; j >= 0; j--)
                {
                    if (inFlight[j].Send.IsCompleted)
                    {
                        results[inFlight[j].Index] = await inFlight[j].Send;
                        inFlight.RemoveAt(j);
                    }
                }
            }
        }

        foreach (var (index, task) in inFlight)
        {
            results[index] = await task;
        }

        return results;
    }

    /// <summary>Sends one page of sends whose window has opened; true when a full page went (there may be more).</summary>
    private async Task<bool> SendReleasedAsync()
    {
        var request = state.State.Request!;
        var pageSize = options.Value.FanOutPageSize;
        var facts = await store.ReleaseDueAsync(Owner, CampaignId, Now, pageSize);
        if (facts.Count > 0)
        {
            TenantContext.Set(Owner);
            var route = dispatcher.Resolve(await TenantReference.GetChannels(), request.Channel);
            var contacts = (await store.GetContactsAsync(Owner, facts.Select(f => f.ContactId).ToList())).ToDictionary(c => c.ContactId, StringComparer.Ordinal);

            // A contact may have opted out, paused or gone while waiting: they are skipped, never sent.
            var skips = new List<(string, string)>();
            var sendable = new List<DeliveryFact>();
            foreach (var fact in facts)
            {
                var reason = !contacts.TryGetValue(fact.ContactId, out var contact) ? "contact removed"
                    : Intend(contact, request.Channel, route is not null, Now) is { Status: DeliveryStatus.Skipped } skipped ? skipped.Reason
                    : null;
                if (reason is null)
                {
                    sendable.Add(fact);
                }
                else
                {
                    skips.Add((fact.ContactId, reason));
                }
            }

            await store.SkipPendingAsync(Owner, CampaignId, skips);
            await SendInWindowAsync(route, sendable, contacts);
        }

        // Sends that waited are counted when they go: the store's facts are the truth.
        var counts = await store.CountFactsAsync(Owner, CampaignId);
        if (counts.Attempted != state.State.Attempted || counts.Skipped != state.State.Skipped)
        {
            state.State.Attempted = counts.Attempted;
            state.State.Skipped = counts.Skipped;
            await state.WriteStateAsync();
        }

        return facts.Count >= pageSize;
    }

    private async Task<Tenants.TenantSettings> TenantSettingsAsync()
    {
        TenantContext.Set(Owner);
        var tenant = await TenantReference.Get();
        return tenant?.Settings ?? new Tenants.TenantSettings(Owner.Value, "Etc/UTC");
    }

    private static DeliveryFact Intend(Contact contact, ChannelKind channel, bool routed, DateTimeOffset now)
    {
        var address = contact.AddressOn(channel);
        var reason = contact.StatusOn(channel, now) switch
        {
            _ when contact.Archived => "archived",
            ChannelStatus.OptedOut => "opted out",
            ChannelStatus.Paused => "paused",
            _ when string.IsNullOrEmpty(address) => "no address",
            _ when channel == ChannelKind.Sms && contact.InvalidPhone => "invalid phone",
            _ when !routed => "no provider for channel",
            _ => null,
        };
        return new DeliveryFact(contact.ContactId, channel, address, reason is null ? DeliveryStatus.Pending : DeliveryStatus.Skipped, reason);
    }

    private CampaignRow Row()
    {
        var s = state.State;
        var request = s.Request!;
        return new CampaignRow(
            CampaignId,
            s.Instance?.ScheduleId,
            request.Name,
            request.Description,
            IsRecurring: s.Instance is not null,
            s.Script!.Type,
            s.Attempted,
            Responded: _responded,
            LastSent: s.StartedAt ?? s.SendAt,
            IsUpcoming: s.Status == CampaignStatus.Scheduled,
            s.Status);
    }

    private Task PublishRowAsync()
    {
        TenantContext.Set(Owner);
        return (_index ??= GrainReferences.Get<ITenantIndexGrain>(GrainFactory, Owner.Value)).Upsert(Row());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {TenantId}/{CampaignId}: sending failed ({Failures} in a row); it goes on in {DelayMs} ms.")]
    private static partial void LogContinueFailed(ILogger logger, Exception exception, string tenantId, string campaignId, int failures, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Campaign {TenantId}/{CampaignId}: claiming a page before waiting for the provider failed; the page is written when its sends end.")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, string tenantId, string campaignId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {TenantId}/{CampaignId} finished: {Attempted} sent, {Skipped} skipped.")]
    private static partial void LogFinished(ILogger logger, string tenantId, string campaignId, int attempted, int skipped);
}
