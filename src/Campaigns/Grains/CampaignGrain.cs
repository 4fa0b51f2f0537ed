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

    public TenantId Owner => TenantId.TryFromKey(this.GetPrimaryKeyString(), out var tenant, out _) ? tenant : throw new InvalidOperationException("Bad campaign key.");

    private string CampaignId => this.GetPrimaryKeyString()[(Owner.Value.Length + 1)..];

    private DateTimeOffset Now => options.Value.TimeProvider.GetUtcNow();

    public async Task Create(CampaignRequest request, Script script)
    {
        if (state.State.Request is not null)
        {
            throw new ConflictException($"Campaign '{CampaignId}' already exists.");
        }

        state.State.Request = request;
        state.State.Script = script;
        state.State.Status = CampaignStatus.Scheduled;
        state.State.SendAt = request.Schedule.Kind == ScheduleKind.Once && request.Schedule.SendAt is { } at ? at : Now;

        // The due time is written first: a crash before the state leaves a due row that the next wake clears.
        await store.SetDueAsync(this.GetPrimaryKeyString(), state.State.SendAt);
        await state.WriteStateAsync();
        await PublishRowAsync();
        if (state.State.SendAt <= Now)
        {
            await StartAsync();
        }
        else
        {
            scheduler.Arm(this.GetPrimaryKeyString(), state.State.SendAt);
        }
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
        if (state.State.Status != CampaignStatus.Sending)
        {
            return;
        }

        var finished = await SendPageAsync();
        _lastProgress = Now;
        if (finished)
        {
            state.State.Status = CampaignStatus.Sent;
            state.State.FinishedAt = Now;
            await state.WriteStateAsync();
            await SettleDueAsync();
            LogFinished(logger, Owner.Value, CampaignId, state.State.Attempted, state.State.Skipped);
        }
        else
        {
            ScheduleContinue();
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
        var script = state.State.Script!;
        var pageSize = options.Value.FanOutPageSize;
        if (request.Recipients.ImportId is not { } importId)
        {
            return true;
        }

        var contacts = await store.GetImportContactsAsync(Owner, importId, request.Recipients.Subset, state.State.Cursor, pageSize);
        if (contacts.Count == 0)
        {
            return true;
        }

        TenantContext.Set(Owner);
        var route = dispatcher.Resolve(await GrainFactory.GetGrain<ITenantGrain>(Owner.Value).GetChannels(), request.Channel);
        var intended = contacts.Select(c => Intend(c, request.Channel, route is not null)).ToList();
        var claimed = await store.ClaimAsync(Owner, CampaignId, intended);
        var byId = contacts.ToDictionary(c => c.ContactId, StringComparer.Ordinal);
        var opening = ScriptPath.Opening(script);

        var outcomes = new List<SendOutcome>();
        var pending = claimed.Where(f => f.Status == DeliveryStatus.Pending).ToList();
        if (route is { } r && pending.Count > 0)
        {
            var results = new SendOutcome[pending.Count];
            await Parallel.ForAsync(0, pending.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Value.SendConcurrency }, async (i, ct) =>
            {
                var fact = pending[i];
                var contact = byId[fact.ContactId];
                var text = ScriptText.Render(opening, contact);
                var message = new OutboundMessage(Owner, CampaignId, contact.ContactId, request.Channel, fact.Address!, text, $"{CampaignId}:{contact.ContactId}");
                var result = await ChannelDispatcher.SendAsync(r.Provider, r.Settings, message, ct);
                results[i] = new SendOutcome(contact.ContactId, result.Accepted, result.MessageId, result.FailureReason, Now);
            });
            outcomes.AddRange(results);
            await store.RecordSendsAsync(Owner, CampaignId, outcomes);
        }

        foreach (var fact in claimed)
        {
            if (fact.Status == DeliveryStatus.Skipped)
            {
                state.State.Skipped++;
            }
            else
            {
                state.State.Attempted++;
            }
        }

        state.State.Cursor = contacts[^1].ContactId;
        await state.WriteStateAsync();
        return contacts.Count < pageSize;
    }

    private static DeliveryFact Intend(Contact contact, ChannelKind channel, bool routed)
    {
        var address = contact.AddressOn(channel);
        var reason = contact.StatusOn(channel) switch
        {
            ChannelStatus.OptedOut => "opted out",
            ChannelStatus.Paused => "paused",
            _ when string.IsNullOrEmpty(address) => "no address",
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
            null,
            request.Name,
            request.Description,
            IsRecurring: false,
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
        return GrainFactory.GetGrain<ITenantIndexGrain>(Owner.Value).Upsert(Row());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign {TenantId}/{CampaignId} finished: {Attempted} sent, {Skipped} skipped.")]
    private static partial void LogFinished(ILogger logger, string tenantId, string campaignId, int attempted, int skipped);
}
