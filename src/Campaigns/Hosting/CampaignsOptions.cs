namespace Campaigns.Hosting;

/// <summary>Options of the Campaigns engine. Defaults are in <see cref="CampaignsDefaults"/>.</summary>
public sealed class CampaignsOptions
{
    /// <summary>The clock every send time, fact and expiry is read from. Tests set a fake one.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Recipients loaded, claimed and sent per page of a fan-out.</summary>
    public int FanOutPageSize { get; set; } = CampaignsDefaults.FanOutPageSize;

    /// <summary>Sends in flight at once per campaign page.</summary>
    public int SendConcurrency { get; set; } = CampaignsDefaults.SendConcurrency;

    /// <summary>How often remembered due times are swept, so a send interrupted by a crash or deactivation goes on.</summary>
    public TimeSpan SweepInterval { get; set; } = CampaignsDefaults.SweepInterval;

    /// <summary>Consecutive carrier failures of SMS to a contact's phone after which it is flagged invalid and campaigns skip it.</summary>
    public int InvalidPhoneAfterFailures { get; set; } = CampaignsDefaults.InvalidPhoneAfterFailures;

    /// <summary>The provider used on a channel the tenant has not configured; null: such a campaign is refused.</summary>
    public string? FallbackProvider { get; set; }

    /// <summary>
    /// How far ahead due times are armed as in-memory timers; later ones wait in the store until a
    /// sweep brings them within reach. Must be longer than <see cref="SweepInterval"/>.
    /// </summary>
    public TimeSpan ArmHorizon { get; set; } = CampaignsDefaults.ArmHorizon;

    /// <summary>
    /// After downtime, the most recent missed send of a recurring schedule is still sent when it is
    /// at most this old; older ones are recorded as missed and never sent.
    /// </summary>
    public TimeSpan MissedSendGrace { get; set; } = CampaignsDefaults.MissedSendGrace;
}

/// <summary>Default values of <see cref="CampaignsOptions"/>, in one place.</summary>
public static class CampaignsDefaults
{
    /// <summary>1,000 recipients per page.</summary>
    public const int FanOutPageSize = 1000;

    /// <summary>32 sends in flight.</summary>
    public const int SendConcurrency = 32;

    /// <summary>3 consecutive carrier failures.</summary>
    public const int InvalidPhoneAfterFailures = 3;

    /// <summary>30 seconds.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    /// <summary>10 minutes.</summary>
    public static readonly TimeSpan ArmHorizon = TimeSpan.FromMinutes(10);

    /// <summary>1 hour.</summary>
    public static readonly TimeSpan MissedSendGrace = TimeSpan.FromHours(1);

    /// <summary>The name of the grain storage the SDK's grains use.</summary>
    public const string StorageName = "campaigns";
}
