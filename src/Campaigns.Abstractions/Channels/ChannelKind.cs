namespace Campaigns.Channels;

/// <summary>The ways a campaign reaches a contact.</summary>
public enum ChannelKind
{
    /// <summary>Text messages to an E.164 phone number.</summary>
    Sms,

    /// <summary>Email to an address.</summary>
    Email,

    /// <summary>A web-chat session.</summary>
    Webchat,
}

/// <summary>Names of channels as they appear in the API.</summary>
public static class ChannelNames
{
    /// <summary>Reads <c>sms</c>, <c>email</c> or <c>webchat</c>.</summary>
    public static bool TryParse(string? value, out ChannelKind channel)
    {
        switch (value)
        {
            case "sms": channel = ChannelKind.Sms; return true;
            case "email": channel = ChannelKind.Email; return true;
            case "webchat": channel = ChannelKind.Webchat; return true;
            default: channel = default; return false;
        }
    }

    /// <summary>The API name of a channel.</summary>
    public static string ToName(this ChannelKind channel) => channel switch
    {
        ChannelKind.Sms => "sms",
        ChannelKind.Email => "email",
        ChannelKind.Webchat => "webchat",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };
}
