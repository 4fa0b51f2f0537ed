using Campaigns.Campaigns;
using Campaigns.Hosting;
using Campaigns.Scheduling;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campaigns.Grains;

[GenerateSerializer, Alias("Campaigns.RecurrenceState")]
internal sealed class RecurrenceState
{
    [Id(0)] public CampaignRequest? Request { get; set; }
    [Id(1)] public Script? Script { get; set; }
    [Id(2)] public ScheduleStatus Status { get; set; }
    [Id(3)] public bool Paused { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Occurrences before this instant are dealt with (sent, missed, skipped, paused over, or before the schedule existed).</summary>
    [Id(5)] public DateTimeOffset From { get; set; }

    /// <summary>The next send, as armed; null while paused or once ended.</summary>
    [Id(6)] public DateTimeOffset? NextSend { get; set; }

    [Id(7)] public List<ScheduleInstance> Instances { get; set; } = [];

    /// <summary>Upcoming occurrences whose send was cancelled (UTC).</summary>
    [Id(8)] public List<DateTimeOffset> Skips { get; set; } = [];
}

/// <summary>
/// A recurring schedule, keyed <c>{tenant}/{schedule}</c>. It keeps one durable due time, its next
/// send (the long wait lives in the store, not in memory); when it comes, it creates the campaign
/// instance for that occurrence with an id derived from the schedule and the time, so a repeated
/// wake can never create two. After downtime only the latest missed occurrence is sent, and only
/// within <see cref="CampaignsOptions.MissedSendGrace"/>; older ones are recorded as missed.
/// </summary>
internal sealed partial class RecurrenceGrain(
    [PersistentState("recurrence", CampaignsDefaults.StorageName)] IPersistentState<RecurrenceState> state,
    ICampaignStore store,
    DueWorkScheduler scheduler,
    IOptions<CampaignsOptions> options,
    ILogger<RecurrenceGrain> logger) : Grain, IRecurrenceGrain, ITenantOwned
{
    // A catch-up after a long outage records missed occurrences in slices of this many.
    private const int CatchUpSlice = 1000;

    // The key is fixed for an activation: parsed once (the tenant guard and every store call read it).
    private TenantId? _owner;
    private string? _scheduleId;
    private string? _dueKey;
    private ITenantIndexGrain? _index;

    public TenantId Owner => _owner ??= TenantId.TryFromKey(this.GetPrimaryKeyString(), out var tenant, out _) ? tenant : throw new InvalidOperationException("Bad schedule key.");

    private string ScheduleId => _scheduleId ??= this.GetPrimaryKeyString()[(Owner.Value.Length + 1)..];

    private string DueKey => _dueKey ??= DueWorkScheduler.ScheduleKey(this.GetPrimaryKeyString());

    private DateTimeOffset Now => options.Value.TimeProvider.GetUtcNow();

    private Recurrence Rule => state.State.Request!.Schedule.Recurrence!;

    public async Task Create(CampaignRequest request, Script script)
    {
        if (state.State.Request is not null)
        {
            throw new ConflictException($"Schedule '{ScheduleId}' already exists.");
        }

        state.State.Request = request;
        state.State.Script = script;
        state.State.Status = ScheduleStatus.Active;
        state.State.CreatedAt = Now;
        state.State.From = Now;
        await AdvanceAsync();
    }

    public Task<ScheduleDetails?> Get()
    {
        var s = state.State;
        return Task.FromResult(s.Request is null
            ? null
            : new ScheduleDetails(ScheduleId, s.Request, s.Script!.Type, s.Status, s.Paused, s.NextSend,
                s.NextSend is { } next ? RecurrenceRules.InstanceId(ScheduleId, next) : null, [.. s.Instances.OrderBy(i => i.At)], s.CreatedAt));
    }

    public async Task Cancel()
    {
        Require();
        if (state.State.Status == ScheduleStatus.Ended)
        {
            return;
        }

        state.State.Status = ScheduleStatus.Ended;
        await AdvanceAsync();
        LogEnded(logger, Owner.Value, ScheduleId);
    }

    public async Task Pause()
    {
        RequireActive();
        state.State.Paused = true;
        await AdvanceAsync();
    }

    public async Task Resume()
    {
        RequireActive();
        if (!state.State.Paused)
        {
            return;
        }

        // Occurrences that fell while paused are not sent.
        state.State.Paused = false;
        state.State.From = Max(state.State.From, Now);
        await AdvanceAsync();
    }

    public async Task Edit(Recurrence recurrence)
    {
        RequireActive();
        var request = state.State.Request!;
        state.State.Request = request with { Schedule = CampaignSchedule.Recurring(recurrence) };
        state.State.From = Max(state.State.From, Now);
        await AdvanceAsync();
    }

    public async Task Skip(DateTimeOffset at)
    {
        Require();
        var utc = at.ToUniversalTime();
        if (state.State.Instances.Any(i => i.At == utc && i.Outcome == InstanceOutcome.Skipped))
        {
            // Cancelled already: again is no change, even once its time passed or the schedule ended.
            return;
        }

        var isUpcoming = state.State.Status == ScheduleStatus.Active && utc >= state.State.From
            && RecurrenceRules.Occurrences(Rule, utc).Take(1).Any(o => o == utc);
        if (!isUpcoming)
        {
            throw new NotFoundException($"Campaign '{RecurrenceRules.InstanceId(ScheduleId, utc)}' was not found.");
        }

        if (!state.State.Skips.Contains(utc))
        {
            // Recorded now, so the schedule shows the skipped send before its time comes.
            state.State.Skips.Add(utc);
            Record(at, InstanceOutcome.Skipped);
            await AdvanceAsync();
        }
    }

    public async Task Wake()
    {
        var s = state.State;
        if (s.Request is null || s.Status == ScheduleStatus.Ended || s.Paused)
        {
            // Nothing to send: a due time left by a create that never finished, or a stale wake.
            await store.ClearDueAsync(DueKey);
            scheduler.Disarm(DueKey);
            return;
        }

        var (etag, from, next, status, instances, skips) = (state.Etag, s.From, s.NextSend, s.Status, s.Instances.Count, s.Skips.ToList());
        try
        {
            await CatchUpAsync();
        }
        catch when (state.Etag == etag)
        {
            // Nothing of this wake was saved: it is undone in memory too, so the next wake (the due row still holds the
            // send time) sees the occurrence again and records it once. Once the state is saved, the wake's work stays.
            s.Instances.RemoveRange(instances, s.Instances.Count - instances);
            (s.From, s.NextSend, s.Status, s.Skips) = (from, next, status, skips);
            throw;
        }
    }

    private async Task CatchUpAsync()
    {
        var s = state.State;
        var now = Now;
        DateTimeOffset? following;
        while (true)
        {
            // One expansion of the rule per wake: the sends due now and, from the same pass, the send after them.
            var (due, after) = DueAndAfter(s.From, now);
            following = after;
            if (due.Count == 0)
            {
                break;
            }

            var latest = due[^1];
            var last = due.Count < CatchUpSlice;
            foreach (var missed in (last ? due[..^1] : due).Where(o => !IsSkipped(o)))
            {
                Record(missed, InstanceOutcome.Missed);
            }

            if (last && !IsSkipped(latest))
            {
                if (now - latest <= options.Value.MissedSendGrace)
                {
                    // The instance is created (idempotently) before the schedule moves on: a crash in between repeats a harmless create.
                    await StartInstanceAsync(latest);
                    Record(latest, InstanceOutcome.Started);
                }
                else
                {
                    Record(latest, InstanceOutcome.Missed);
                    LogMissed(logger, Owner.Value, ScheduleId, latest);
                }
            }

            s.From = latest.AddSeconds(1);
            s.Skips.RemoveAll(k => k < s.From);
            if (last)
            {
                break;
            }
        }

        await AdvanceAsync(following);
    }

    /// <summary>
    /// The occurrences from <paramref name="from"/> due by <paramref name="now"/> (at most a slice), and, when
    /// they are fewer than a slice, the first occurrence after them that is not skipped (null when the rule
    /// has none): what <see cref="NextFrom"/> would give from the send after the last one due.
    /// </summary>
    private (List<DateTimeOffset> Due, DateTimeOffset? After) DueAndAfter(DateTimeOffset from, DateTimeOffset now)
    {
        var due = new List<DateTimeOffset>();
        using var occurrences = RecurrenceRules.Occurrences(Rule, from).GetEnumerator();
        while (occurrences.MoveNext())
        {
            var at = occurrences.Current;
            if (at > now)
            {
                // Skips at or after this send are still to come, so the next-send search goes on from here.
                do
                {
                    if (!IsSkipped(occurrences.Current))
                    {
                        return (due, occurrences.Current);
                    }
                }
                while (occurrences.MoveNext());
                return (due, null);
            }

            due.Add(at);
            if (due.Count == CatchUpSlice)
            {
                // A full slice: the caller records it and looks again from after it.
                return (due, null);
            }
        }

        return (due, null);
    }

    private bool IsSkipped(DateTimeOffset at) => state.State.Skips.Contains(at.ToUniversalTime());

    private void Record(DateTimeOffset at, InstanceOutcome outcome) =>
        state.State.Instances.Add(new ScheduleInstance(RecurrenceRules.InstanceId(ScheduleId, at), at, outcome));

    private async Task StartInstanceAsync(DateTimeOffset at)
    {
        var instanceId = RecurrenceRules.InstanceId(ScheduleId, at);
        TenantContext.Set(Owner);
        await GrainReferences.Get<ICampaignGrain>(GrainFactory, Owner.Key(instanceId))
            .CreateInstance(state.State.Request!, state.State.Script!, new RecurringInstance(ScheduleId, at, Rule.AllowRepeatRecipients));
        LogStarted(logger, Owner.Value, ScheduleId, instanceId);
    }

    /// <summary>Works out the next send, saves, and moves the due time and the upcoming row of the campaign list with it.</summary>
    /// <param name="known">The next send, when the caller found it in the same pass over the rule (a wake).</param>
    private async Task AdvanceAsync(DateTimeOffset? known = null)
    {
        var s = state.State;
        var previous = s.NextSend;
        DateTimeOffset? next = null;
        if (s.Status == ScheduleStatus.Active && !s.Paused)
        {
            // From, not now: every occurrence before From is dealt with, and one after it is not, even if its time
            // has just passed (a wake a millisecond early saw it not yet due, and reading the clock again here
            // skipped it: the schedule moved to the next day with that send never made nor recorded). A next
            // send in the past is due at once, and the wake it arms deals with it.
            next = known ?? NextFrom(s.From);
            if (next is null)
            {
                s.Status = ScheduleStatus.Ended;
                LogEnded(logger, Owner.Value, ScheduleId);
            }
        }

        s.NextSend = next;
        await state.WriteStateAsync();

        TenantContext.Set(Owner);
        var index = _index ??= GrainReferences.Get<ITenantIndexGrain>(GrainFactory, Owner.Value);
        if (next is { } at)
        {
            await store.SetDueAsync(DueKey, at);
            scheduler.Arm(DueKey, at);
            await index.Upsert(UpcomingRow(at));
        }
        else
        {
            await store.ClearDueAsync(DueKey);
            scheduler.Disarm(DueKey);
        }

        // The row of a send that will not happen goes; a started instance has replaced its upcoming row with its own.
        if (previous is { } old && old != next && !s.Instances.Any(i => i.At == old && i.Outcome == InstanceOutcome.Started))
        {
            await index.Remove(RecurrenceRules.InstanceId(ScheduleId, old));
        }
    }

    private DateTimeOffset? NextFrom(DateTimeOffset from) =>
        RecurrenceRules.Occurrences(Rule, from).Where(o => !IsSkipped(o)).Select(o => (DateTimeOffset?)o).FirstOrDefault();

    private CampaignRow UpcomingRow(DateTimeOffset at)
    {
        var request = state.State.Request!;
        return new CampaignRow(
            RecurrenceRules.InstanceId(ScheduleId, at), ScheduleId, request.Name, request.Description, IsRecurring: true,
            state.State.Script!.Type, Sent: 0, Responded: 0, LastSent: at, IsUpcoming: true, CampaignStatus.Scheduled);
    }

    private void Require()
    {
        if (state.State.Request is null)
        {
            throw new NotFoundException($"Campaign '{ScheduleId}' was not found.");
        }
    }

    private void RequireActive()
    {
        Require();
        if (state.State.Status == ScheduleStatus.Ended)
        {
            throw new ConflictException($"Schedule '{ScheduleId}' has ended.");
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {TenantId}/{ScheduleId} started instance {CampaignId}.")]
    private static partial void LogStarted(ILogger logger, string tenantId, string scheduleId, string campaignId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {TenantId}/{ScheduleId} missed its send of {At:O}: it is older than the grace window and is not sent.")]
    private static partial void LogMissed(ILogger logger, string tenantId, string scheduleId, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {TenantId}/{ScheduleId} ended.")]
    private static partial void LogEnded(ILogger logger, string tenantId, string scheduleId);
}
