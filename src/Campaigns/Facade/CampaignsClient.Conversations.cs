using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Conversations;
using Campaigns.Grains;
using Campaigns.Scripts;
using Campaigns.Validation;

namespace Campaigns;

public sealed partial class CampaignsClient
{
    /// <summary>The longest inbound text taken: a long concatenated SMS or a chat message.</summary>
    public const int MaxInboundTextLength = 4000;

    /// <summary>
    /// An inbound message from a contact: the entry point of every channel's inbound callback (the
    /// dev channel's <c>POST /dev/inbound</c>, a provider's webhook). Keywords are handled first;
    /// otherwise the message is routed to the contact's active interactive campaign on that channel,
    /// matched to the open question, recorded, and answered with the script's next steps. An
    /// unknown number on an open-bot tenant becomes a contact and gets the <c>openBotSms</c> intro
    /// script. <paramref name="from"/> is a phone number (normalised with the tenant's default
    /// region), an email address, or a web-chat session id.
    /// </summary>
    public async Task<InboundResult> ReceiveAsync(TenantId tenant, ChannelKind channel, string from, string text, CancellationToken cancellationToken = default)
    {
        var settings = (await RequireTenantAsync(tenant)).Settings;
        var (errors, address) = CheckInbound(channel, from, text, settings.DefaultRegion);
        errors.ThrowIfAny();
        cancellationToken.ThrowIfCancellationRequested();
        IntroTrigger? introduce = null;
        var contact = await _store.FindContactByAddressAsync(tenant, channel, address!, cancellationToken);
        if (contact is null)
        {
            if (channel != ChannelKind.Sms || !settings.OpenBot)
            {
                return new InboundResult(InboundOutcome.UnknownSender, null);
            }

            (contact, var created) = await _store.AddContactAsync(tenant, NewContact(phone: address), channel, cancellationToken);
            introduce = created ? IntroTrigger.OpenBotSms : null;
        }

        TenantContext.Set(tenant);
        return await _grains.GetGrain<IConversationGrain>(tenant.Key(contact.ContactId)).Receive(channel, text!, introduce);
    }

    /// <summary>
    /// Every problem of an inbound message, changing nothing (the HTTP layer reports them with the body's
    /// own); with none, the sender's address as stored. A null <paramref name="channel"/> is one that
    /// could not be read: the sender is then only checked for presence.
    /// </summary>
    internal static (ValidationErrors Errors, string? Address) CheckInbound(ChannelKind? channel, string? from, string? text, string defaultRegion)
    {
        var errors = new ValidationErrors();
        string? address = null;
        if (string.IsNullOrWhiteSpace(from))
        {
            errors.Add("from", "The sender's address is required.");
        }
        else if (channel == ChannelKind.Sms)
        {
            address = ContactImporter.NormalisePhone(from, defaultRegion, out var problem);
            if (problem is not null)
            {
                errors.Add("from", problem);
            }
        }
        else if (channel is not null)
        {
            address = channel == ChannelKind.Email ? from.Trim().ToLowerInvariant() : from.Trim();
        }

        if (text is null)
        {
            errors.Add("text", "The text is required.");
        }
        else if (text.Length > MaxInboundTextLength)
        {
            errors.Add("text", $"The text is {text.Length} characters long; at most {MaxInboundTextLength} are taken.");
        }

        return (errors, address);
    }

    /// <summary>
    /// A new web-chat visitor: creates a contact whose web-chat address is a new session id and
    /// sends the tenant's <c>webchat</c> intro script, if it has one. Replies come back through
    /// <see cref="ReceiveAsync"/> with <see cref="ChannelKind.Webchat"/> and the session id.
    /// </summary>
    public async Task<WebchatSession> StartWebchatSessionAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await RequireTenantAsync(tenant);
        var sessionId = "ws_" + Guid.NewGuid().ToString("N");
        var (contact, _) = await _store.AddContactAsync(tenant, NewContact(webchatSession: sessionId), ChannelKind.Webchat, cancellationToken);
        TenantContext.Set(tenant);
        var result = await _grains.GetGrain<IConversationGrain>(tenant.Key(contact.ContactId)).Introduce(IntroTrigger.Webchat);
        return new WebchatSession(sessionId, contact.ContactId, result.Outcome == InboundOutcome.Introduced);
    }

    /// <summary>A contact's conversation: the questions waiting for an answer and when paused channels resume.</summary>
    public async Task<ConversationView> GetConversationAsync(TenantId tenant, string contactId)
    {
        TenantContext.Set(tenant);
        return await _grains.GetGrain<IConversationGrain>(tenant.Key(contactId)).Get();
    }

    private Contact NewContact(string? phone = null, string? webchatSession = null) => new(
        ContactIds.New(_clock),
        string.Empty,
        string.Empty,
        phone,
        null,
        null,
        null,
        new Dictionary<string, string>(),
        [],
        new Dictionary<ChannelKind, ChannelStatus>(),
        WebchatSession: webchatSession);

    /// <summary>A reminder goes after the send and before the campaign's duration ends, and only for a script that asks something.</summary>
    private static void CheckReminder(CampaignRequest request, Script? script, ValidationErrors errors)
    {
        if (request.ReminderAfterHours is not { } hours)
        {
            return;
        }

        if (hours < 1 || hours >= request.DurationHours)
        {
            errors.Add("reminderAfterHours", $"A reminder goes 1 hour or more after the send and before the campaign's {request.DurationHours} hours are over.");
        }

        if (script is { Type: ScriptType.Nudge })
        {
            errors.Add("reminderAfterHours", "The script asks nothing, so there is no unanswered question to remind contacts of.");
        }
    }
}
