using Campaigns.Scripts;
using Campaigns.Tenants;

namespace Campaigns.Conversations;

/// <summary>What the engine itself says in a conversation: keyword confirmations, help, pause and invalid-answer hints.</summary>
public static class ConversationTexts
{
    /// <summary>The one confirmation of an opt-out; nothing follows it on that channel.</summary>
    public static string OptedOut(TenantSettings tenant) =>
        $"{tenant.DisplayName}: you are unsubscribed and will get no more messages. Reply START to resubscribe.";

    /// <summary>The confirmation of START, UNSTOP (or YES after an opt-out).</summary>
    public static string OptedIn(TenantSettings tenant) =>
        $"{tenant.DisplayName}: you are subscribed again. Reply HELP for help, STOP to unsubscribe.";

    /// <summary>The reply to HELP: the tenant's help text, or a default naming the tenant and the keywords.</summary>
    public static string Help(TenantSettings tenant) =>
        !string.IsNullOrWhiteSpace(tenant.HelpText) ? tenant.HelpText
            : $"{tenant.DisplayName}: reply STOP to unsubscribe or #pause to pause messages. Msg & data rates may apply.";

    /// <summary>The confirmation of a <c>#pause</c>.</summary>
    public static string Paused(PauseLength length) => length switch
    {
        PauseLength.TwoWeeks => "Messages are paused for two weeks. Text START to resume sooner.",
        PauseLength.Indefinitely => "Messages are paused until you text START.",
        _ => "Messages are paused for two weeks. Reply FOREVER to pause them until you text START.",
    };

    /// <summary>The hint put before a question asked again after an answer that matched nothing.</summary>
    public static string Hint(ScriptStep step) => step.Kind switch
    {
        StepKind.YesNo => "Sorry, I didn't get that. Please reply YES or NO.",
        StepKind.MultipleChoice => $"Sorry, I didn't get that. Please reply with a number from 1 to {step.Choices?.Count ?? 0}.",
        _ => "Sorry, I didn't get that. Please reply with a few words.",
    };
}
