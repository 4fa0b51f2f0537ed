using Campaigns.Scripts;

namespace Campaigns.Campaigns;

/// <summary>
/// One row of the campaign list: one send. <see cref="Engagement"/> is contacts who responded
/// to at least one message over contacts sent at least one message (null for nudges and while
/// nothing was sent); <see cref="Sent"/> counts contacts sent to or attempted.
/// </summary>
[GenerateSerializer, Immutable, Alias("Campaigns.CampaignRow")]
public sealed record CampaignRow(
    string CampaignId,
    string? ScheduleId,
    string Name,
    string Description,
    bool IsRecurring,
    ScriptType Type,
    int Sent,
    int Responded,
    DateTimeOffset? LastSent,
    bool IsUpcoming,
    CampaignStatus Status,
    bool IsIntroductory = false)
{
    /// <summary>Responded over sent, or null for nudges and before anything was sent.</summary>
    public double? Engagement => Type == ScriptType.Nudge || Sent == 0 ? null : (double)Responded / Sent;
}

/// <summary>A campaign as read back: its list row plus what it was asked to do.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.CampaignDetails")]
public sealed record CampaignDetails(CampaignRow Row, CampaignRequest Request, int Skipped, int Failed, int Delivered);

/// <summary>A query over the campaign list.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.CampaignListQuery")]
public sealed record CampaignListQuery(
    string? Search = null,
    CampaignCategory Category = CampaignCategory.All,
    CampaignSort Sort = CampaignSort.LastSent,
    bool? Descending = null,
    DateTimeOffset? LastSentFrom = null,
    DateTimeOffset? LastSentTo = null,
    int Page = 1,
    int PageSize = 50);

/// <summary>The sections of the campaign list.</summary>
public enum CampaignCategory
{
    /// <summary>Every non-introductory send that has sent, is sending or will send.</summary>
    All,

    /// <summary>Sends that have finished.</summary>
    Sent,

    /// <summary>Sends under way.</summary>
    InProgress,

    /// <summary>Sends in the future.</summary>
    Upcoming,

    /// <summary>Automatic intro rows.</summary>
    Introductory,

    /// <summary>Instances and next sends of recurring campaigns.</summary>
    Recurring,
}

/// <summary>Columns the list sorts on.</summary>
public enum CampaignSort
{
    /// <summary>Name, case-insensitive.</summary>
    Name,

    /// <summary>Interactive or nudge.</summary>
    Type,

    /// <summary>Engagement; rows without it last either way.</summary>
    Engagement,

    /// <summary>Contacts sent.</summary>
    Sent,

    /// <summary>When it sent (or will).</summary>
    LastSent,
}

/// <summary>One page of the campaign list with the section counts.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.CampaignListPage")]
public sealed record CampaignListPage(
    int Total,
    IReadOnlyList<CampaignRow> Items,
    CategoryCounts Counts,
    bool ShowInProgress,
    bool ShowIntroductory);

/// <summary>How many rows each section holds.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.CategoryCounts")]
public sealed record CategoryCounts(int All, int Sent, int InProgress, int Upcoming, int Introductory, int Recurring);
