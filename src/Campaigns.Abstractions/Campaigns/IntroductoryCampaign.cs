namespace Campaigns.Campaigns;

/// <summary>What starts an introductory script.</summary>
public enum IntroTrigger
{
    /// <summary>A new web-chat visitor.</summary>
    Webchat,

    /// <summary>An unknown number texting a tenant whose bot is open.</summary>
    OpenBotSms,
}

/// <summary>
/// The campaign ids of introductory rows: <c>intro-{trigger}-{scriptId}</c> with trigger
/// <c>webchat</c> or <c>openBotSms</c>. Each intro send and each reply to it is a delivery fact
/// under that id (one per contact), so reporting treats an introductory row like a campaign.
/// </summary>
public static class IntroductoryCampaign
{
    private const string Prefix = "intro-";

    /// <summary>The API name of a trigger: <c>webchat</c> or <c>openBotSms</c>.</summary>
    public static string ToName(this IntroTrigger trigger) => trigger switch
    {
        IntroTrigger.Webchat => "webchat",
        IntroTrigger.OpenBotSms => "openBotSms",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger)),
    };

    /// <summary>The channel a trigger's intro goes over.</summary>
    public static Channels.ChannelKind Channel(this IntroTrigger trigger) =>
        trigger == IntroTrigger.Webchat ? Channels.ChannelKind.Webchat : Channels.ChannelKind.Sms;

    /// <summary>The campaign id of the introductory row of a trigger and script.</summary>
    public static string Id(IntroTrigger trigger, string scriptId) => $"{Prefix}{trigger.ToName()}-{scriptId}";

    /// <summary>Reads an introductory campaign id; false for any other campaign id.</summary>
    public static bool TryParse(string? campaignId, out IntroTrigger trigger, out string scriptId)
    {
        foreach (var candidate in new[] { IntroTrigger.Webchat, IntroTrigger.OpenBotSms })
        {
            var prefix = $"{Prefix}{candidate.ToName()}-";
            if (campaignId is not null && campaignId.Length > prefix.Length && campaignId.StartsWith(prefix, StringComparison.Ordinal))
            {
                trigger = candidate;
                scriptId = campaignId[prefix.Length..];
                return true;
            }
        }

        trigger = default;
        scriptId = string.Empty;
        return false;
    }
}
