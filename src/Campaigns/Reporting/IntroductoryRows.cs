namespace Campaigns.Reporting;

/// <summary>
/// The ids of introductory rows: <c>intro-{trigger}-{scriptId}</c>, one per trigger (<c>webchat</c>,
/// <c>openBotSms</c>) and script. Their intro sends and replies are delivery facts under that id.
/// </summary>
public static class IntroductoryRows
{
    /// <summary>The trigger of a new web-chat visitor.</summary>
    public const string Webchat = "webchat";

    /// <summary>The trigger of an unknown number texting an open-bot tenant.</summary>
    public const string OpenBotSms = "openBotSms";

    private const string Prefix = "intro-";

    /// <summary>The row id of a trigger and script.</summary>
    public static string Id(string trigger, string scriptId) => $"{Prefix}{trigger}-{scriptId}";

    /// <summary>Whether an id names an introductory row, and its trigger and script.</summary>
    public static bool TryParse(string? campaignId, out string trigger, out string scriptId)
    {
        foreach (var t in (ReadOnlySpan<string>)[Webchat, OpenBotSms])
        {
            var head = $"{Prefix}{t}-";
            if (campaignId is not null && campaignId.Length > head.Length && campaignId.StartsWith(head, StringComparison.Ordinal))
            {
                trigger = t;
                scriptId = campaignId[head.Length..];
                return true;
            }
        }

        trigger = string.Empty;
        scriptId = string.Empty;
        return false;
    }

    /// <summary>The order triggers are listed in: web chat, then open-bot SMS.</summary>
    internal static int Rank(string trigger) => trigger == Webchat ? 0 : 1;
}
