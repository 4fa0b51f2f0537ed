using Campaigns.Campaigns;
using Campaigns.Reporting;
using Campaigns.Scripts;

namespace Campaigns.Tests.Reporting;

/// <summary>The kept-sorted index answers every query exactly as the plain rules of <see cref="CampaignList"/> do.</summary>
public sealed class CampaignIndexTests
{
    private static readonly DateTimeOffset Day = new(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Words = ["Spring", "fall", "WELCOME", "survey", "Class of 2027", "alumni", "check-in"];

    private static CampaignRow RandomRow(Random random, int n)
    {
        var status = (CampaignStatus)random.Next(4);
        var intro = random.Next(10) == 0;
        var recurring = !intro && random.Next(4) == 0;
        var sent = status == CampaignStatus.Scheduled ? 0 : random.Next(0, 6);

        // Few distinct names, sizes and days, so ties are common and the tie-break is exercised.
        return new CampaignRow(
            $"cmp_{n:D4}",
            recurring ? "sch_1" : null,
            $"{Words[random.Next(Words.Length)]} {random.Next(3)}",
            random.Next(2) == 0 ? string.Empty : Words[random.Next(Words.Length)],
            recurring,
            random.Next(3) == 0 ? ScriptType.Nudge : ScriptType.Interactive,
            sent,
            sent == 0 ? 0 : random.Next(0, sent + 1),
            random.Next(15) == 0 ? null : Day.AddDays(random.Next(-5, 5)),
            status == CampaignStatus.Scheduled,
            status,
            intro);
    }

    private static CampaignListQuery RandomQuery(Random random) => new(
        random.Next(3) == 0 ? Words[random.Next(Words.Length)].ToUpperInvariant()[..3] : null,
        (CampaignCategory)random.Next(6),
        (CampaignSort)random.Next(5),
        random.Next(3) switch { 0 => null, 1 => true, _ => false },
        random.Next(4) == 0 ? Day.AddDays(random.Next(-5, 0)) : null,
        random.Next(4) == 0 ? Day.AddDays(random.Next(0, 5)) : null,
        random.Next(1, 4),
        random.Next(1, 25));

    [Fact]
    public void Answers_every_query_as_the_list_rules_do_while_rows_change()
    {
        var random = new Random(6);
        var index = new CampaignIndex();
        var rows = new Dictionary<string, CampaignRow>(StringComparer.Ordinal);
        for (var step = 0; step < 600; step++)
        {
            // Add rows, and change existing ones (a send progressing, a response counted) between queries.
            var row = RandomRow(random, rows.Count > 0 && random.Next(2) == 0 ? random.Next(rows.Count + 20) : rows.Count + 20);
            if (random.Next(8) == 0)
            {
                // An upcoming send that will not happen leaves the list (and may come back later).
                Assert.Equal(rows.Remove(row.CampaignId), index.Remove(row.CampaignId));
            }
            else
            {
                rows[row.CampaignId] = row;
                index.Upsert(row);
            }

            Assert.Equal(rows.Values.OrderBy(r => r.CampaignId, StringComparer.Ordinal), index.Rows.OrderBy(r => r.CampaignId, StringComparer.Ordinal));

            var query = RandomQuery(random);
            var expected = CampaignList.Query(rows.Values, query);
            var actual = index.Query(query);
            Assert.Equal(expected.Items, actual.Items);
            Assert.Equal((expected.Total, expected.Counts, expected.ShowInProgress, expected.ShowIntroductory), (actual.Total, actual.Counts, actual.ShowInProgress, actual.ShowIntroductory));
        }
    }

    [Fact]
    public void A_page_far_past_the_end_is_empty_instead_of_wrapping_around()
    {
        var index = new CampaignIndex();
        index.Upsert(new CampaignRow("a", null, "A", string.Empty, false, ScriptType.Nudge, 1, 0, Day, false, CampaignStatus.Sent));

        var page = index.Query(new CampaignListQuery(Page: int.MaxValue, PageSize: 500));

        Assert.Empty(page.Items);
        Assert.Equal(1, page.Total);
        Assert.Empty(CampaignList.Query(index.Rows, new CampaignListQuery(Page: int.MaxValue, PageSize: 500)).Items);
    }
}
