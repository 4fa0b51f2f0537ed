using Campaigns.Campaigns;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>The list queries staff make, each asked of the engine and of PostgreSQL.</summary>
internal static class ReportingQueries
{
    public static IReadOnlyList<(string Name, CampaignListQuery Query)> All { get; } =
    [
        ("default", new CampaignListQuery()),
        ("sent-by-name", new CampaignListQuery(Category: CampaignCategory.Sent, Sort: CampaignSort.Name)),
        ("in-progress", new CampaignListQuery(Category: CampaignCategory.InProgress)),
        ("upcoming-soonest", new CampaignListQuery(Category: CampaignCategory.Upcoming, Descending: false)),
        ("recurring-by-sent", new CampaignListQuery(Category: CampaignCategory.Recurring, Sort: CampaignSort.Sent)),
        ("engagement-page-3", new CampaignListQuery(Sort: CampaignSort.Engagement, Page: 3)),
        ("type-page-20", new CampaignListQuery(Sort: CampaignSort.Type, Page: 20)),
        ("search-common", new CampaignListQuery(Search: "aid")),
        ("search-rare-by-engagement", new CampaignListQuery(Search: "scholarship alumni", Sort: CampaignSort.Engagement)),
        ("last-30-days-by-name", new CampaignListQuery(Sort: CampaignSort.Name, LastSentFrom: ReportingRows.Now.AddDays(-30), LastSentTo: ReportingRows.Now)),
        ("year-search-sent", new CampaignListQuery(Search: "welcome", Category: CampaignCategory.Sent, LastSentFrom: ReportingRows.Now.AddDays(-365), LastSentTo: ReportingRows.Now)),
        ("deep-page-1000", new CampaignListQuery(Page: 1000, PageSize: 50)),
        ("introductory", new CampaignListQuery(Category: CampaignCategory.Introductory)),
    ];
}
