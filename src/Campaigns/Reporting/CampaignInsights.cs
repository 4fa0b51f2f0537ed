using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Scripts;

namespace Campaigns.Reporting;

/// <summary>
/// A send's insights, every figure counted from its delivery facts (limited to an audience's current
/// members when <see cref="AudienceId"/> is set). For an introductory row they add up all its intros
/// and <see cref="Trigger"/> is null.
/// </summary>
/// <param name="CampaignId">The send, or the introductory row.</param>
/// <param name="Name">The campaign's (or intro script's) name.</param>
/// <param name="ScriptId">The script sent.</param>
/// <param name="Type">Interactive or nudge.</param>
/// <param name="Open">Whether replies still belong to it: <see cref="DurationHours"/> have not passed since <see cref="Trigger"/> (an intro row: while its script is still the tenant's intro for its trigger).</param>
/// <param name="Trigger">When it sent (or will); null for an introductory row.</param>
/// <param name="DurationHours">How long after sending replies belong to it; null for an introductory row.</param>
/// <param name="Recipients">The import or audience it was sent to; null for an introductory row.</param>
/// <param name="IntroTrigger">For an introductory row: what starts it (web chat or open-bot SMS).</param>
/// <param name="Channel">The channel it used (an introductory row: its trigger's channel).</param>
/// <param name="Sent">Contacts sent to or attempted, carrier failures included.</param>
/// <param name="Delivered">Contacts the carrier reported delivered.</param>
/// <param name="Failed">Contacts whose message the provider refused or the carrier failed.</param>
/// <param name="Skipped">Contacts not sent to (opted out, paused, no address).</param>
/// <param name="Waiting">Contacts held by the sending hours, not yet sent.</param>
/// <param name="Responded">Contacts sent to who responded at all (an answer, an invalid answer, STOP or #pause).</param>
/// <param name="Engagement">Responded over sent; null for a nudge and while nothing was sent.</param>
/// <param name="OptedOut">Contacts who opted out (STOP) during it.</param>
/// <param name="Paused">Contacts who paused (#pause) during it.</param>
/// <param name="InvalidResponses">Answers that matched nothing the question accepts.</param>
/// <param name="Failures">Failed contacts by reason, most first.</param>
/// <param name="SkippedReasons">Skipped contacts by reason, most first.</param>
/// <param name="Questions">Each question of the script, in script order, with its answers.</param>
/// <param name="AudienceId">The audience the figures are limited to, if any.</param>
public sealed record CampaignInsights(
    string CampaignId,
    string Name,
    string ScriptId,
    ScriptType Type,
    bool Open,
    DateTimeOffset? Trigger,
    int? DurationHours,
    Recipients? Recipients,
    IntroTrigger? IntroTrigger,
    ChannelKind Channel,
    int Sent,
    int Delivered,
    int Failed,
    int Skipped,
    int Waiting,
    int Responded,
    double? Engagement,
    int OptedOut,
    int Paused,
    int InvalidResponses,
    IReadOnlyList<ReasonCount> Failures,
    IReadOnlyList<ReasonCount> SkippedReasons,
    IReadOnlyList<QuestionInsights> Questions,
    string? AudienceId);

/// <summary>How many contacts share a reason.</summary>
public sealed record ReasonCount(string Reason, int Count);

/// <summary>One question of a script: how its answers spread, and how many answers to it were invalid.</summary>
public sealed record QuestionInsights(string StepId, string Text, StepKind Kind, IReadOnlyList<AnswerCount> Answers, int Invalid);

/// <summary>How many contacts gave an answer (their last answer to the question).</summary>
public sealed record AnswerCount(string Answer, int Count);
