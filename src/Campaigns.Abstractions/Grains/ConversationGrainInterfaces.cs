using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Conversations;
using Orleans.Concurrency;

namespace Campaigns.Grains;

/// <summary>
/// One contact's side of every campaign: routes the contact's inbound messages to the campaign
/// and question they answer, handles keywords, pauses and reminders. Keyed <c>{tenant}/{contactId}</c>.
/// </summary>
[Alias("Campaigns.IConversationGrain")]
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>
    /// An inbound message from the contact on a channel. With <paramref name="introduce"/> the
    /// contact is new and, unless the message is a keyword, gets that trigger's intro script.
    /// </summary>
    [Alias("Receive")]
    Task<InboundResult> Receive(ChannelKind channel, string text, IntroTrigger? introduce);

    /// <summary>Sends the trigger's intro script to the contact, once (a new web-chat visitor).</summary>
    [Alias("Introduce")]
    Task<InboundResult> Introduce(IntroTrigger trigger);

    /// <summary>The campaign's reminder time came: asks the contact's open question of that campaign again, once.</summary>
    [Alias("Remind"), OneWay]
    Task Remind(CampaignTerms terms);

    /// <summary>A pause ran out: resumes the channels whose pause ended.</summary>
    [Alias("Wake")]
    Task Wake();

    /// <summary>Where the contact is: the questions waiting for an answer and the pauses that will end by themselves.</summary>
    [Alias("Get")]
    Task<ConversationView> Get();
}

/// <summary>
/// The introductory row of one trigger and script: owns its delivery facts (one per contact
/// introduced) and publishes the row to the tenant index. Keyed <c>{tenant}/intro-{trigger}-{scriptId}</c>.
/// </summary>
[Alias("Campaigns.IIntroductionGrain")]
public interface IIntroductionGrain : IGrainWithStringKey
{
    /// <summary>Claims the contact's fact; true when the intro must be sent (new, or a send that never finished).</summary>
    [Alias("Claim")]
    Task<bool> Claim(string contactId, ChannelKind channel, string address);

    /// <summary>Records the outcome of sending the intro to a contact.</summary>
    [Alias("Sent")]
    Task Sent(string contactId, bool accepted, string? messageId, string? failureReason, DateTimeOffset at);

    /// <summary>Records a contact's response to the intro.</summary>
    [Alias("RecordResponse")]
    Task RecordResponse(ContactResponse response);
}
