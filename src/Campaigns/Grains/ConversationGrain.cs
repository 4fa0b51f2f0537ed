using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Conversations;
using Campaigns.Hosting;
using Campaigns.Scheduling;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campaigns.Grains;

[GenerateSerializer, Alias("Campaigns.ConversationState")]
internal sealed class ConversationState
{
    /// <summary>Where the contact is in each campaign still open to them, by campaign id.</summary>
    [Id(0)] public Dictionary<string, ConversationThread> Threads { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When each paused channel resumes by itself (absent: not paused, or paused indefinitely).</summary>
    [Id(1)] public Dictionary<ChannelKind, DateTimeOffset> PausedUntil { get; set; } = [];

    /// <summary>Channels on which a <c>#pause</c> without a length was just confirmed, so "forever" may follow.</summary>
    [Id(2)] public HashSet<ChannelKind> PauseOffered { get; set; } = [];

    /// <summary>Messages this conversation sent: numbers their idempotency keys.</summary>
    [Id(3)] public long Messages { get; set; }

    /// <summary>An intro owed to a new contact whose first message was a keyword: it follows their next other message.</summary>
    [Id(4)] public IntroTrigger? PendingIntro { get; set; }

    /// <summary>Reminders held by the tenant's sending hours, by campaign id: when the contact's window opens.</summary>
    [Id(5)] public Dictionary<string, DateTimeOffset> HeldReminders { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Alias("Campaigns.ConversationThread")]
internal sealed class ConversationThread
{
    /// <summary>The question waiting for an answer; null once the script has ended.</summary>
    [Id(0)] public string? OpenStepId { get; set; }

    /// <summary>Whether the open question was already asked again after an invalid answer.</summary>
    [Id(1)] public bool Reasked { get; set; }

    /// <summary>Whether the campaign's reminder reached this contact.</summary>
    [Id(2)] public bool Reminded { get; set; }

    /// <summary>When replies stop belonging to the campaign.</summary>
    [Id(3)] public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// One contact's conversation, keyed <c>{tenant}/{contactId}</c>. An inbound message is read for
/// keywords first (STOP and synonyms, START, HELP, <c>#pause</c>); otherwise it is routed to the
/// contact's active interactive campaign on that channel (the latest sent to them whose duration
/// has not run out), matched to the open question, recorded in that campaign's facts through the
/// grain that owns them, and answered with the next steps. Replies go at once: they answer a
/// message the contact just sent, so no sending-hours gate applies to them.
/// </summary>
internal sealed partial class ConversationGrain(
    [PersistentState("conversation", CampaignsDefaults.StorageName)] IPersistentState<ConversationState> state,
    ICampaignStore store,
    ChannelDispatcher dispatcher,
    DueWorkScheduler scheduler,
    IOptions<CampaignsOptions> options,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain, ITenantOwned
{
    /// <summary>The due-work key prefix that wakes a conversation (<c>{tenant}/conversation:{contactId}</c>).</summary>
    internal const string DuePrefix = "conversation:";

    /// <summary>How many of the contact's latest sends a reply is matched against.</summary>
    private const int RoutingDepth = 20;

    private static readonly TimeSpan PauseLengthTwoWeeks = TimeSpan.FromDays(14);

    private readonly Dictionary<string, CampaignTerms?> _terms = new(StringComparer.Ordinal);
    private bool _changed;

    public TenantId Owner => TenantId.TryFromKey(this.GetPrimaryKeyString(), out var tenant, out _) ? tenant : throw new InvalidOperationException("Bad conversation key.");

    private string ContactId => this.GetPrimaryKeyString()[(Owner.Value.Length + 1)..];

    private string DueKey => Owner.Key(DuePrefix + ContactId);

    private DateTimeOffset Now => options.Value.TimeProvider.GetUtcNow();

    private sealed record Outgoing(string CampaignId, string Text, bool EvenIfOptedOut = false);

    private sealed record Active(DeliveryFact Fact, CampaignTerms Terms);

    public async Task<InboundResult> Receive(ChannelKind channel, string text, IntroTrigger? introduce)
    {
        var contact = await store.GetContactAsync(Owner, ContactId);
        if (contact is null)
        {
            return new InboundResult(InboundOutcome.UnknownSender, null);
        }

        var status = contact.StatusOn(channel, Now);
        var pauseOffered = state.State.PauseOffered.Remove(channel);
        _changed |= pauseOffered;
        var keyword = Keywords.Parse(text);
        if (keyword is null && status == ChannelStatus.OptedOut && Answers.Normalise(text) == "yes")
        {
            // YES after STOP opts back in, as carriers do; it cannot be an answer, since nothing was asked since.
            keyword = new Keyword(KeywordKind.OptIn);
        }

        if (keyword is null && pauseOffered && status == ChannelStatus.Paused && Keywords.ParsePauseLength(text) is { } length)
        {
            keyword = new Keyword(KeywordKind.Pause, Pause: length);
        }

        if (introduce is not null && keyword is not null)
        {
            state.State.PendingIntro = introduce;
            _changed = true;
        }

        var outgoing = new List<Outgoing>();
        InboundResult result;
        if (keyword is not null)
        {
            (result, status) = await KeywordAsync(channel, status, keyword, outgoing);
        }
        else if (status == ChannelStatus.OptedOut)
        {
            result = new InboundResult(InboundOutcome.Ignored, ContactId);
        }
        else if ((introduce ?? state.State.PendingIntro) is { } trigger)
        {
            state.State.PendingIntro = null;
            _changed = true;
            result = await IntroduceAsync(contact, trigger);
        }
        else
        {
            result = await AnswerAsync(contact, channel, text, outgoing);
        }

        await FlushAsync(contact, channel, status, outgoing);
        return result;
    }

    public async Task<InboundResult> Introduce(IntroTrigger trigger)
    {
        var contact = await store.GetContactAsync(Owner, ContactId);
        if (contact is null)
        {
            return new InboundResult(InboundOutcome.UnknownSender, null);
        }

        var result = await IntroduceAsync(contact, trigger);
        await FlushAsync(contact, trigger.Channel(), contact.StatusOn(trigger.Channel(), Now), []);
        return result;
    }

    public async Task Remind(CampaignTerms terms)
    {
        var contact = await store.GetContactAsync(Owner, ContactId);
        if (contact is null || contact.StatusOn(terms.Channel, Now) != ChannelStatus.OptedIn)
        {
            return;
        }

        _terms[terms.CampaignId] = terms;

        // Only the campaign the contact's replies go to now: reminding an older one would ask a question whose answer lands elsewhere.
        if (await ResolveActiveAsync(terms.Channel, interactiveOnly: true) is not { } active || active.Terms.CampaignId != terms.CampaignId)
        {
            return;
        }

        var thread = Thread(active);
        if (thread.Reminded || OpenStep(active.Terms, thread) is not { } step)
        {
            await FlushAsync(contact, terms.Channel, ChannelStatus.OptedIn, []);
            return;
        }

        // A reminder is a message the tenant initiates: it waits for the contact's sending window.
        var opening = SendingWindow.NextOpening(contact, (await TenantSettingsAsync())!, Now);
        if (opening > Now)
        {
            state.State.HeldReminders[terms.CampaignId] = opening;
            await state.WriteStateAsync();
            await SettlePauseDueAsync();
            return;
        }

        thread.Reminded = true;
        state.State.HeldReminders.Remove(terms.CampaignId);
        _changed = true;
        await FlushAsync(contact, terms.Channel, ChannelStatus.OptedIn, [new Outgoing(terms.CampaignId, ScriptText.Render(step, contact))]);
        await SettlePauseDueAsync();
    }

    public async Task Wake()
    {
        var now = Now;
        var ended = state.State.PausedUntil.Where(p => p.Value <= now).Select(p => p.Key).ToList();
        if (ended.Count > 0)
        {
            var contact = await store.GetContactAsync(Owner, ContactId);
            foreach (var channel in ended)
            {
                // The stored status, ended pause or not: it is what this resume writes back.
                if (contact is not null && contact.Channels.TryGetValue(channel, out var stored) && stored == ChannelStatus.Paused)
                {
                    await store.SetChannelStatusAsync(Owner, ContactId, channel, ChannelStatus.OptedIn, null);
                    LogResumed(logger, Owner.Value, ContactId, channel.ToName());
                }

                state.State.PausedUntil.Remove(channel);
                state.State.PauseOffered.Remove(channel);
            }

            await state.WriteStateAsync();
        }

        var released = state.State.HeldReminders.Where(r => r.Value <= now).Select(r => r.Key).ToList();
        if (released.Count > 0)
        {
            released.ForEach(id => state.State.HeldReminders.Remove(id));
            await state.WriteStateAsync();
        }

        foreach (var campaignId in released)
        {
            if (await TermsAsync(campaignId) is { } terms)
            {
                await Remind(terms);
            }
        }

        await SettlePauseDueAsync();
    }

    public async Task<ConversationView> Get()
    {
        var now = Now;
        var open = new List<OpenQuestion>();
        foreach (var channel in Enum.GetValues<ChannelKind>())
        {
            foreach (var fact in await store.ReadContactFactsAsync(Owner, ContactId, channel, RoutingDepth))
            {
                if (await TermsAsync(fact.CampaignId!) is { Script.Type: ScriptType.Interactive } terms && fact.SentAt!.Value.AddHours(terms.DurationHours) > now
                    && Peek(new Active(fact, terms)) is { OpenStepId: { } stepId } thread)
                {
                    open.Add(new OpenQuestion(terms.CampaignId, stepId, thread.ExpiresAt, thread.Reminded));
                }
            }
        }

        return new ConversationView(open, new Dictionary<ChannelKind, DateTimeOffset>(state.State.PausedUntil));
    }

    private async Task<(InboundResult Result, ChannelStatus Status)> KeywordAsync(ChannelKind channel, ChannelStatus status, Keyword keyword, List<Outgoing> outgoing)
    {
        var tenant = (await TenantSettingsAsync())!;
        var now = Now;
        switch (keyword.Kind)
        {
            case KeywordKind.OptOut:
            {
                if (status == ChannelStatus.OptedOut && !keyword.AllChannels)
                {
                    // Already out: a second confirmation would be a message after the opt-out.
                    return (new InboundResult(InboundOutcome.Ignored, ContactId), status);
                }

                foreach (var c in keyword.AllChannels ? Enum.GetValues<ChannelKind>() : [channel])
                {
                    await store.SetChannelStatusAsync(Owner, ContactId, c, ChannelStatus.OptedOut, null);
                    _changed |= state.State.PausedUntil.Remove(c) | state.State.PauseOffered.Remove(c);
                }

                await SettlePauseDueAsync();
                var campaignId = await RecordOnActiveAsync(channel, new ContactResponse(ContactId, now, OptedOut: true));
                if (status != ChannelStatus.OptedOut)
                {
                    outgoing.Add(new Outgoing(string.Empty, ConversationTexts.OptedOut(tenant), EvenIfOptedOut: true));
                }

                return (new InboundResult(InboundOutcome.OptedOut, ContactId, campaignId), ChannelStatus.OptedOut);
            }

            case KeywordKind.OptIn:
                await store.SetChannelStatusAsync(Owner, ContactId, channel, ChannelStatus.OptedIn, null);
                _changed |= state.State.PausedUntil.Remove(channel);
                await SettlePauseDueAsync();
                outgoing.Add(new Outgoing(string.Empty, ConversationTexts.OptedIn(tenant)));
                return (new InboundResult(InboundOutcome.OptedIn, ContactId), ChannelStatus.OptedIn);

            case KeywordKind.Help when status != ChannelStatus.OptedOut:
                outgoing.Add(new Outgoing(string.Empty, ConversationTexts.Help(tenant)));
                return (new InboundResult(InboundOutcome.Help, ContactId), status);

            case KeywordKind.Pause when status != ChannelStatus.OptedOut:
            {
                DateTimeOffset? until = keyword.Pause == PauseLength.Indefinitely ? null : now + PauseLengthTwoWeeks;
                if (until is { } u)
                {
                    state.State.PausedUntil[channel] = u;
                }
                else
                {
                    state.State.PausedUntil.Remove(channel);
                }

                if (keyword.Pause == PauseLength.Unspecified)
                {
                    state.State.PauseOffered.Add(channel);
                }

                _changed = true;
                await SettlePauseDueAsync();
                await store.SetChannelStatusAsync(Owner, ContactId, channel, ChannelStatus.Paused, until);
                var campaignId = await RecordOnActiveAsync(channel, new ContactResponse(ContactId, now, Paused: true));
                outgoing.Add(new Outgoing(string.Empty, ConversationTexts.Paused(keyword.Pause)));
                return (new InboundResult(InboundOutcome.Paused, ContactId, campaignId), ChannelStatus.Paused);
            }

            default:
                // HELP or #pause from a contact who opted out: nothing more is sent on this channel.
                return (new InboundResult(InboundOutcome.Ignored, ContactId), status);
        }
    }

    private async Task<InboundResult> AnswerAsync(Contact contact, ChannelKind channel, string text, List<Outgoing> outgoing)
    {
        if (await ResolveActiveAsync(channel, interactiveOnly: true) is not { } active)
        {
            return new InboundResult(InboundOutcome.NotRouted, ContactId);
        }

        var (fact, terms) = active;
        var thread = Thread(active);
        if (OpenStep(terms, thread) is not { } step)
        {
            return new InboundResult(InboundOutcome.NotRouted, ContactId, terms.CampaignId);
        }

        var now = Now;
        var first = !fact.Responded;
        if (Answers.Match(step, text) is not { } match)
        {
            await RecordAsync(terms.CampaignId, new ContactResponse(ContactId, now, Invalid: true, First: first));
            if (!thread.Reasked)
            {
                thread.Reasked = true;
                _changed = true;
                outgoing.Add(new Outgoing(terms.CampaignId, ConversationTexts.Hint(step) + "\n\n" + ScriptText.Render(step, contact)));
            }

            return new InboundResult(InboundOutcome.InvalidAnswer, ContactId, terms.CampaignId, step.Id);
        }

        await RecordAsync(terms.CampaignId, new ContactResponse(ContactId, now, step.Id, match.Answer, First: first));
        var run = ScriptPath.Through(terms.Script, ScriptPath.Next(terms.Script, step, match.Branch));
        thread.OpenStepId = run.Count > 0 && run[^1].Kind.IsQuestion() ? run[^1].Id : null;
        thread.Reasked = false;
        _changed = true;
        if (run.Count > 0)
        {
            outgoing.Add(new Outgoing(terms.CampaignId, ScriptText.Render(run, contact)));
        }

        return new InboundResult(InboundOutcome.Answered, ContactId, terms.CampaignId, step.Id, match.Answer);
    }

    private async Task<InboundResult> IntroduceAsync(Contact contact, IntroTrigger trigger)
    {
        var settings = await TenantSettingsAsync();
        var scriptId = trigger == IntroTrigger.Webchat ? settings?.IntroScripts?.Webchat : settings?.IntroScripts?.OpenBotSms;
        var channel = trigger.Channel();
        if (scriptId is null || await store.GetScriptAsync(Owner, scriptId) is not { } script
            || contact.AddressOn(channel) is not { } address || contact.StatusOn(channel, Now) != ChannelStatus.OptedIn)
        {
            // A trigger without a script sends nothing.
            return new InboundResult(InboundOutcome.NotRouted, ContactId);
        }

        var introId = IntroductoryCampaign.Id(trigger, scriptId);
        TenantContext.Set(Owner);
        var intro = GrainFactory.GetGrain<IIntroductionGrain>(Owner.Key(introId));
        if (!await intro.Claim(ContactId, channel, address))
        {
            return new InboundResult(InboundOutcome.NotRouted, ContactId, introId);
        }

        var opening = ScriptPath.Opening(script);
        var now = Now;
        var route = dispatcher.Resolve(await GrainFactory.GetGrain<ITenantGrain>(Owner.Value).GetChannels(), channel);
        var result = route is { } r
            ? await ChannelDispatcher.SendAsync(r.Provider, r.Settings, new OutboundMessage(Owner, introId, ContactId, channel, address, ScriptText.Render(opening, contact), ClientReference.For(introId, ContactId)), CancellationToken.None)
            : SendResult.Failed("no provider for channel");
        await intro.Sent(ContactId, result.Accepted, result.MessageId, result.FailureReason, now);
        state.State.Threads[introId] = new ConversationThread
        {
            OpenStepId = opening.Count > 0 && opening[^1].Kind.IsQuestion() ? opening[^1].Id : null,
            ExpiresAt = now.AddHours(CampaignRequest.DefaultDurationHours),
        };
        _terms[introId] = new CampaignTerms(introId, channel, script, CampaignRequest.DefaultDurationHours, null);
        _changed = true;
        return new InboundResult(InboundOutcome.Introduced, ContactId, introId);
    }

    /// <summary>Records a keyword response on the campaign open to the contact on the channel (any type); returns its id.</summary>
    private async Task<string?> RecordOnActiveAsync(ChannelKind channel, ContactResponse response)
    {
        if (await ResolveActiveAsync(channel, interactiveOnly: false) is not { } active)
        {
            return null;
        }

        await RecordAsync(active.Terms.CampaignId, response with { First = !active.Fact.Responded });
        return active.Terms.CampaignId;
    }

    /// <summary>Hands a response to the grain that owns the campaign's facts (the campaign, or the intro row).</summary>
    private Task RecordAsync(string campaignId, ContactResponse response)
    {
        TenantContext.Set(Owner);
        return IntroductoryCampaign.TryParse(campaignId, out _, out _)
            ? GrainFactory.GetGrain<IIntroductionGrain>(Owner.Key(campaignId)).RecordResponse(response)
            : GrainFactory.GetGrain<ICampaignGrain>(Owner.Key(campaignId)).RecordResponse(response);
    }

    /// <summary>The latest campaign sent to the contact on the channel whose duration has not run out.</summary>
    private async Task<Active?> ResolveActiveAsync(ChannelKind channel, bool interactiveOnly)
    {
        var now = Now;
        foreach (var fact in await store.ReadContactFactsAsync(Owner, ContactId, channel, RoutingDepth))
        {
            if (await TermsAsync(fact.CampaignId!) is not { } terms || (interactiveOnly && terms.Script.Type != ScriptType.Interactive))
            {
                continue;
            }

            if (fact.SentAt!.Value.AddHours(terms.DurationHours) > now)
            {
                return new Active(fact, terms);
            }
        }

        return null;
    }

    private async Task<CampaignTerms?> TermsAsync(string campaignId)
    {
        if (_terms.TryGetValue(campaignId, out var cached))
        {
            return cached;
        }

        CampaignTerms? terms;
        if (IntroductoryCampaign.TryParse(campaignId, out var trigger, out var scriptId))
        {
            terms = await store.GetScriptAsync(Owner, scriptId) is { } script
                ? new CampaignTerms(campaignId, trigger.Channel(), script, CampaignRequest.DefaultDurationHours, null)
                : null;
        }
        else
        {
            TenantContext.Set(Owner);
            terms = await GrainFactory.GetGrain<ICampaignGrain>(Owner.Key(campaignId)).Terms();
        }

        _terms[campaignId] = terms;
        return terms;
    }

    /// <summary>The contact's place in a campaign; a campaign not yet answered waits on the last step of its opening.</summary>
    private ConversationThread Thread(Active active)
    {
        var thread = Peek(active);
        if (state.State.Threads.TryAdd(active.Terms.CampaignId, thread))
        {
            _changed = true;
        }

        return thread;
    }

    private ConversationThread Peek(Active active)
    {
        if (state.State.Threads.TryGetValue(active.Terms.CampaignId, out var thread))
        {
            return thread;
        }

        var opening = ScriptPath.Opening(active.Terms.Script);
        return new ConversationThread
        {
            OpenStepId = opening.Count > 0 && opening[^1].Kind.IsQuestion() ? opening[^1].Id : null,
            ExpiresAt = active.Fact.SentAt!.Value.AddHours(active.Terms.DurationHours),
        };
    }

    private static ScriptStep? OpenStep(CampaignTerms terms, ConversationThread thread) =>
        thread.OpenStepId is { } id ? terms.Script.Steps.FirstOrDefault(s => s.Id == id) : null;

    private async Task<TenantSettings?> TenantSettingsAsync()
    {
        TenantContext.Set(Owner);
        return (await GrainFactory.GetGrain<ITenantGrain>(Owner.Value).Get())?.Settings;
    }

    /// <summary>Keeps one due time for the earliest pause to end or held reminder to go, or none.</summary>
    private async Task SettlePauseDueAsync()
    {
        if (state.State.PausedUntil.Count > 0 || state.State.HeldReminders.Count > 0)
        {
            var next = state.State.PausedUntil.Values.Concat(state.State.HeldReminders.Values).Min();
            await store.SetDueAsync(DueKey, next);
            scheduler.Arm(DueKey, next);
        }
        else
        {
            scheduler.Disarm(DueKey);
            await store.ClearDueAsync(DueKey);
        }
    }

    /// <summary>Saves the conversation (numbering the messages first), then sends the messages.</summary>
    private async Task FlushAsync(Contact contact, ChannelKind channel, ChannelStatus status, IReadOnlyList<Outgoing> outgoing)
    {
        var now = Now;
        foreach (var expired in state.State.Threads.Where(t => t.Value.ExpiresAt <= now).Select(t => t.Key).ToList())
        {
            state.State.Threads.Remove(expired);
            _changed = true;
        }

        var sendable = outgoing.Where(o => o.EvenIfOptedOut || status != ChannelStatus.OptedOut).ToList();
        var first = state.State.Messages + 1;
        state.State.Messages += sendable.Count;
        if (_changed || sendable.Count > 0)
        {
            await state.WriteStateAsync();
            _changed = false;
        }

        if (sendable.Count == 0 || contact.AddressOn(channel) is not { } address)
        {
            return;
        }

        TenantContext.Set(Owner);
        if (dispatcher.Resolve(await GrainFactory.GetGrain<ITenantGrain>(Owner.Value).GetChannels(), channel) is not { } route)
        {
            LogNoProvider(logger, Owner.Value, ContactId, channel.ToName());
            return;
        }

        for (var i = 0; i < sendable.Count; i++)
        {
            var message = new OutboundMessage(Owner, sendable[i].CampaignId, ContactId, channel, address, sendable[i].Text, $"{ContactId}:m{first + i}");
            var result = await ChannelDispatcher.SendAsync(route.Provider, route.Settings, message, CancellationToken.None);
            if (!result.Accepted)
            {
                LogReplyFailed(logger, Owner.Value, ContactId, result.FailureReason);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversation {TenantId}/{ContactId}: no provider for the {Channel} channel; the reply was not sent.")]
    private static partial void LogNoProvider(ILogger logger, string tenantId, string contactId, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversation {TenantId}/{ContactId}: the provider refused a reply ({Reason}).")]
    private static partial void LogReplyFailed(ILogger logger, string tenantId, string contactId, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {TenantId}/{ContactId}: the pause on {Channel} ended; messages resume.")]
    private static partial void LogResumed(ILogger logger, string tenantId, string contactId, string channel);
}
