namespace Campaigns.Reporting;

/// <summary>
/// The aggregate report of one introductory script over a period: contacts it introduced (sent to or
/// attempted), how many of them responded in any way, and responded over introduced (null for a
/// nudge script or when nobody was introduced).
/// </summary>
/// <param name="Trigger">Web chat or open-bot SMS (<c>webchat</c>, <c>openBotSms</c> in the API).</param>
/// <param name="ScriptId">The intro script.</param>
/// <param name="Introduced">Contacts introduced in the period.</param>
/// <param name="Responded">Of those, contacts who responded.</param>
/// <param name="Engagement">Responded over introduced.</param>
public sealed record IntroductoryReport(Campaigns.IntroTrigger Trigger, string ScriptId, int Introduced, int Responded, double? Engagement);
