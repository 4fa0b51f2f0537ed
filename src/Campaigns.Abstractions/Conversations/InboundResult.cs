namespace Campaigns.Conversations;

/// <summary>What an inbound message did.</summary>
public enum InboundOutcome
{
    /// <summary>A valid answer to the open question; the script went on.</summary>
    Answered,

    /// <summary>A reply that matched no answer of the open question: counted, and the question asked again once with a hint.</summary>
    InvalidAnswer,

    /// <summary>An opt-out keyword (STOP and its synonyms).</summary>
    OptedOut,

    /// <summary>An opt-in keyword (START, UNSTOP; YES after an opt-out).</summary>
    OptedIn,

    /// <summary>HELP: the tenant's help text was sent.</summary>
    Help,

    /// <summary><c>#pause</c>: messages are paused for two weeks or indefinitely.</summary>
    Paused,

    /// <summary>A new contact got the introductory script.</summary>
    Introduced,

    /// <summary>The contact has no open question to answer: no active interactive campaign, it expired, or its script ended.</summary>
    NotRouted,

    /// <summary>The contact opted out on this channel: nothing is recorded and nothing is sent.</summary>
    Ignored,

    /// <summary>No contact has this address and the tenant does not take unknown contacts.</summary>
    UnknownSender,
}

/// <summary>What an inbound message did, and to which campaign and question it was matched.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="ContactId">The contact who sent it, or null for an unknown sender.</param>
/// <param name="CampaignId">The campaign it was recorded against, if any (an introductory id for intro scripts).</param>
/// <param name="StepId">The question it answered, if any.</param>
/// <param name="Answer">The answer as recorded: <c>yes</c>/<c>no</c>, the choice's text, or the open text as sent.</param>
[GenerateSerializer, Immutable, Alias("Campaigns.InboundResult")]
public sealed record InboundResult(InboundOutcome Outcome, string? ContactId, string? CampaignId = null, string? StepId = null, string? Answer = null);

/// <summary>One contact's response to a campaign, as a conversation hands it to the campaign that owns the fact.</summary>
/// <param name="ContactId">The contact.</param>
/// <param name="At">When it arrived.</param>
/// <param name="StepId">The question answered validly, if any.</param>
/// <param name="Answer">The valid answer, if any.</param>
/// <param name="Invalid">An answer that matched nothing.</param>
/// <param name="OptedOut">An opt-out keyword.</param>
/// <param name="Paused">A <c>#pause</c>.</param>
/// <param name="First">Whether the contact had not responded to this campaign before (read from the fact just before this response).</param>
[GenerateSerializer, Immutable, Alias("Campaigns.ContactResponse")]
public sealed record ContactResponse(string ContactId, DateTimeOffset At, string? StepId = null, string? Answer = null, bool Invalid = false, bool OptedOut = false, bool Paused = false, bool First = false);

/// <summary>What a conversation needs to know of a campaign: its script snapshot, channel and how long replies belong to it.</summary>
/// <param name="CampaignId">The campaign (or introductory) id.</param>
/// <param name="Channel">The channel it went over.</param>
/// <param name="Script">The script as the campaign sent it.</param>
/// <param name="DurationHours">Hours after a contact's send during which the contact's replies belong to the campaign.</param>
/// <param name="ReminderAfterHours">Hours after the send at which an unanswered question is asked again, once; null: no reminder.</param>
[GenerateSerializer, Immutable, Alias("Campaigns.CampaignTerms")]
public sealed record CampaignTerms(string CampaignId, Channels.ChannelKind Channel, Scripts.Script Script, int DurationHours, int? ReminderAfterHours);

/// <summary>A new web-chat visitor: the session id is the contact's web-chat address.</summary>
/// <param name="SessionId">The web-chat session (the address replies come from).</param>
/// <param name="ContactId">The contact created for the visitor.</param>
/// <param name="Introduced">Whether the tenant's web-chat intro script was sent.</param>
public sealed record WebchatSession(string SessionId, string ContactId, bool Introduced);

/// <summary>A contact's conversation as it stands.</summary>
/// <param name="OpenQuestions">The questions waiting for an answer, one per campaign still open to the contact.</param>
/// <param name="PausedUntil">When each paused channel resumes by itself (a channel paused indefinitely is absent).</param>
[GenerateSerializer, Immutable, Alias("Campaigns.ConversationView")]
public sealed record ConversationView(IReadOnlyList<OpenQuestion> OpenQuestions, IReadOnlyDictionary<Channels.ChannelKind, DateTimeOffset> PausedUntil);

/// <summary>A question waiting for the contact's answer.</summary>
/// <param name="CampaignId">The campaign (or introductory) id.</param>
/// <param name="StepId">The question.</param>
/// <param name="ExpiresAt">When replies stop belonging to the campaign.</param>
/// <param name="Reminded">Whether the campaign's reminder reached the contact.</param>
[GenerateSerializer, Immutable, Alias("Campaigns.OpenQuestion")]
public sealed record OpenQuestion(string CampaignId, string StepId, DateTimeOffset ExpiresAt, bool Reminded);
