namespace Campaigns.Tenants;

/// <summary>An institution's settings, as given to <c>PUT /api/v1/tenants/{tenantId}</c>.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.TenantSettings")]
public sealed record TenantSettings(
    string DisplayName,
    string TimeZone,
    string DefaultRegion = "US",
    bool OpenBot = false,
    SendingHours? SendingHours = null,
    string? HelpText = null,
    IntroScripts? IntroScripts = null)
{
    /// <summary>The window of the contact's local time in which tenant-initiated messages may reach them.</summary>
    public SendingHours EffectiveSendingHours => SendingHours ?? SendingHours.Default;
}

/// <summary>The local-time window for messages the tenant initiates: start inclusive, end exclusive.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.SendingHours")]
public sealed record SendingHours(string Start, string End)
{
    /// <summary>08:00 to 21:00.</summary>
    public static SendingHours Default { get; } = new("08:00", "21:00");
}

/// <summary>The scripts sent automatically to a new web-chat visitor and to an unknown number.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.IntroScripts")]
public sealed record IntroScripts(string? Webchat = null, string? OpenBotSms = null);

/// <summary>A tenant as read back: its settings plus when it was created.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.Tenant")]
public sealed record Tenant(TenantId TenantId, TenantSettings Settings, DateTimeOffset CreatedAt);

/// <summary>A tenant API key as listed (never the secret itself).</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.ApiKeyInfo")]
public sealed record ApiKeyInfo(string KeyId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A newly issued tenant API key: <see cref="Key"/> is shown this once and stored only as a hash.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.IssuedApiKey")]
public sealed record IssuedApiKey(string KeyId, string Name, string Key, DateTimeOffset CreatedAt);
