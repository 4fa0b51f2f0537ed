using Campaigns.Campaigns;
using Campaigns.Reporting;
using Campaigns.Scripts;

namespace Campaigns.Tests.Reporting;

public sealed class CampaignListTests
{
    private static readonly DateTimeOffset Day = new(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);

    private static CampaignRow Row(
        string id,
        CampaignStatus status = CampaignStatus.Sent,
        int day = 1,
        string? name = null,
        int sent = 10,
        int responded = 0,
        ScriptType type = ScriptType.Interactive,
        bool upcoming = false,
        bool recurring = false,
        bool intro = false,
        string description = "") =>
        new(id, recurring ? "sch_1" : null, name ?? id, description, recurring, type, sent, responded, Day.AddDays(day), upcoming, status, intro);

    private static readonly CampaignRow[] Sections =
    [
        Row("sent", day: 1, name: "Spring welcome"),
        Row("sending", CampaignStatus.Sending, day: 2, name: "Spring reminder"),
        Row("upcoming", CampaignStatus.Scheduled, day: 9, upcoming: true, name: "Fall survey"),
        Row("rec-past", day: 3, recurring: true, name: "Weekly check-in"),
        Row("rec-next", CampaignStatus.Scheduled, day: 10, upcoming: true, recurring: true, name: "Weekly check-in"),
        Row("cancelled", CampaignStatus.Cancelled, day: 4, name: "Spring cancelled"),
        Row("intro", day: 5, intro: true, name: "Web chat intro"),
    ];

    private static IEnumerable<string> Ids(CampaignListPage page) => page.Items.Select(r => r.CampaignId);

    [Fact]
    public void Each_category_holds_its_rows_and_cancelled_sends_are_in_none()
    {
        CampaignListPage Query(CampaignCategory category) => CampaignList.Query(Sections, new CampaignListQuery(Category: category));

        Assert.Equal(["rec-next", "upcoming", "rec-past", "sending", "sent"], Ids(Query(CampaignCategory.All)));
        Assert.Equal(["rec-past", "sent"], Ids(Query(CampaignCategory.Sent)));
        Assert.Equal(["sending"], Ids(Query(CampaignCategory.InProgress)));
        Assert.Equal(["rec-next", "upcoming"], Ids(Query(CampaignCategory.Upcoming)));
        Assert.Equal(["intro"], Ids(Query(CampaignCategory.Introductory)));
        Assert.Equal(["rec-next", "rec-past"], Ids(Query(CampaignCategory.Recurring)));

        var all = Query(CampaignCategory.All);
        Assert.Equal(new CategoryCounts(All: 5, Sent: 2, InProgress: 1, Upcoming: 2, Introductory: 1, Recurring: 2), all.Counts);
        Assert.Equal(5, all.Total);
        Assert.True(all.ShowInProgress);
        Assert.True(all.ShowIntroductory);
    }

    [Fact]
    public void Counts_reflect_the_search_and_date_filter_but_not_the_category()
    {
        var page = CampaignList.Query(Sections, new CampaignListQuery(Search: "  SPRING ", Category: CampaignCategory.Sent));

        Assert.Equal(["sent"], Ids(page));
        Assert.Equal(1, page.Total);
        Assert.Equal(new CategoryCounts(All: 2, Sent: 1, InProgress: 1, Upcoming: 0, Introductory: 0, Recurring: 0), page.Counts);
        Assert.True(page.ShowInProgress);
        Assert.False(page.ShowIntroductory);

        var dated = CampaignList.Query(Sections, new CampaignListQuery(Category: CampaignCategory.Upcoming, LastSentFrom: Day.AddDays(3), LastSentTo: Day.AddDays(9)));
        Assert.Equal(["upcoming"], Ids(dated));
        Assert.Equal(new CategoryCounts(All: 2, Sent: 1, InProgress: 0, Upcoming: 1, Introductory: 0, Recurring: 1), dated.Counts);
        Assert.False(dated.ShowInProgress);
    }

    [Fact]
    public void Search_matches_the_description_case_insensitively()
    {
        CampaignRow[] rows = [Row("a", name: "One", description: "For the Class of 2027"), Row("b", name: "Two", description: "alumni")];

        Assert.Equal(["a"], Ids(CampaignList.Query(rows, new CampaignListQuery(Search: "class OF"))));
    }

    [Fact]
    public void A_last_sent_filter_is_inclusive_and_hides_the_introductory_section()
    {
        var page = CampaignList.Query(Sections, new CampaignListQuery(LastSentFrom: Day.AddDays(1), LastSentTo: Day.AddDays(5)));

        Assert.Equal(["rec-past", "sending", "sent"], Ids(page));
        Assert.Equal(0, page.Counts.Introductory);
        Assert.False(page.ShowIntroductory);
        Assert.Empty(CampaignList.Query(Sections, new CampaignListQuery(Category: CampaignCategory.Introductory, LastSentTo: Day.AddDays(30))).Items);

        var onlyFrom = CampaignList.Query(Sections, new CampaignListQuery(LastSentFrom: Day.AddDays(9)));
        Assert.Equal(["rec-next", "upcoming"], Ids(onlyFrom));
        Assert.False(onlyFrom.ShowIntroductory);
    }

    [Fact]
    public void Default_directions_are_descending_for_last_sent_sent_and_engagement_and_ascending_for_name_and_type()
    {
        CampaignRow[] rows =
        [
            Row("a", day: 1, name: "beta", sent: 5, responded: 1, type: ScriptType.Nudge),
            Row("b", day: 3, name: "Alpha", sent: 20, responded: 10),
            Row("c", day: 2, name: "gamma", sent: 10, responded: 9),
        ];
        IEnumerable<string> Sorted(CampaignSort sort, bool? descending = null) => Ids(CampaignList.Query(rows, new CampaignListQuery(Sort: sort, Descending: descending)));

        Assert.Equal(["b", "c", "a"], Sorted(CampaignSort.LastSent));
        Assert.Equal(["b", "c", "a"], Sorted(CampaignSort.Sent));
        Assert.Equal(["c", "b", "a"], Sorted(CampaignSort.Engagement));
        Assert.Equal(["b", "a", "c"], Sorted(CampaignSort.Name));
        Assert.Equal(["b", "c", "a"], Sorted(CampaignSort.Type));
        Assert.Equal(["a", "c", "b"], Sorted(CampaignSort.LastSent, descending: false));
        Assert.Equal(["c", "a", "b"], Sorted(CampaignSort.Name, descending: true));
        Assert.Equal(["a", "b", "c"], Sorted(CampaignSort.Type, descending: true));
    }

    [Fact]
    public void Rows_without_engagement_sort_last_in_both_directions()
    {
        CampaignRow[] rows =
        [
            Row("nudge", day: 5, type: ScriptType.Nudge, sent: 10, responded: 5),
            Row("half", day: 1, sent: 10, responded: 5),
            Row("unsent", day: 4, sent: 0),
            Row("most", day: 2, sent: 10, responded: 9),
            Row("least", day: 3, sent: 10, responded: 1),
        ];

        Assert.Equal(["most", "half", "least", "nudge", "unsent"], Ids(CampaignList.Query(rows, new CampaignListQuery(Sort: CampaignSort.Engagement))));
        Assert.Equal(["least", "half", "most", "nudge", "unsent"], Ids(CampaignList.Query(rows, new CampaignListQuery(Sort: CampaignSort.Engagement, Descending: false))));
        Assert.Null(rows[0].Engagement);
        Assert.Null(rows[2].Engagement);
        Assert.Equal(0.9, rows[3].Engagement);
    }

    [Fact]
    public void Ties_fall_back_to_last_sent_descending_then_campaign_id()
    {
        CampaignRow[] rows =
        [
            Row("c", day: 1, name: "Same", sent: 7),
            Row("b", day: 2, name: "same", sent: 7),
            Row("a", day: 1, name: "SAME", sent: 7),
            Row("d", day: 1, name: "Same", sent: 7) with { LastSent = null },
        ];

        Assert.Equal(["b", "a", "c", "d"], Ids(CampaignList.Query(rows, new CampaignListQuery(Sort: CampaignSort.Name))));
        Assert.Equal(["b", "a", "c", "d"], Ids(CampaignList.Query(rows, new CampaignListQuery(Sort: CampaignSort.Sent, Descending: false))));
        Assert.Equal(["b", "a", "c", "d"], Ids(CampaignList.Query(rows, new CampaignListQuery(Sort: CampaignSort.Type, Descending: true))));
    }

    [Fact]
    public void Pages_slice_the_sorted_rows_and_total_counts_them_all()
    {
        var rows = Enumerable.Range(1, 5).Select(i => Row($"c{i}", day: i)).ToArray();
        CampaignListPage Page(int page, int size) => CampaignList.Query(rows, new CampaignListQuery(Page: page, PageSize: size));

        Assert.Equal(["c5", "c4"], Ids(Page(1, 2)));
        Assert.Equal(["c3", "c2"], Ids(Page(2, 2)));
        Assert.Equal(["c1"], Ids(Page(3, 2)));
        Assert.Empty(Page(4, 2).Items);
        Assert.All(new[] { Page(1, 2), Page(3, 2), Page(4, 2) }, p => Assert.Equal(5, p.Total));
        Assert.Equal(["c5", "c4"], Ids(Page(0, 2)));
        Assert.Equal(["c5"], Ids(Page(1, 0)));
    }

    [Fact]
    public void Nothing_in_progress_hides_the_in_progress_section()
    {
        var page = CampaignList.Query([Row("a"), Row("b", CampaignStatus.Scheduled, upcoming: true)], new CampaignListQuery());

        Assert.False(page.ShowInProgress);
        Assert.False(page.ShowIntroductory);
        Assert.Equal(0, page.Counts.InProgress);
    }
}
