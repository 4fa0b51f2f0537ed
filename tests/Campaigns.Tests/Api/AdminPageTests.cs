using System.Net;
using System.Text.RegularExpressions;
using Campaigns.Campaigns;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Api;

/// <summary>The admin sample's campaigns page and insights page over the seeded demo tenant.</summary>
public sealed partial class AdminPageTests : ApiTestHost
{
    public AdminPageTests()
        : base(new AdminAppFactory { Clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero)) })
    {
    }

    private async Task<string> Page(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await Http.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task The_campaigns_page_shows_sections_with_counts_search_sorting_intros_and_links_to_insights_and_export()
    {
        var html = await Page("/");
        var list = await App.Campaigns.ListCampaignsAsync(TenantId.Parse("demo"), new CampaignListQuery());

        // Every section the list shows, with the list's own counts; the table's rows link to insights and export.
        Assert.Contains($"All <span class=\"count\">{list.Counts.All}</span>", html, StringComparison.Ordinal);
        Assert.Contains($"Upcoming <span class=\"count\">{list.Counts.Upcoming}</span>", html, StringComparison.Ordinal);
        Assert.Contains($"Recurring <span class=\"count\">{list.Counts.Recurring}</span>", html, StringComparison.Ordinal);
        Assert.Contains($"Introductory <span class=\"count\">1</span>", html, StringComparison.Ordinal);
        Assert.Contains("Introductory aggregate reports", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"search\" name=\"search\"", html, StringComparison.Ordinal);
        Assert.Contains("Last Sent ▼", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/?category=all&amp;sort=name\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/?category=all&amp;sort=lastSent&amp;dir=asc\"", html, StringComparison.Ordinal);
        foreach (var row in list.Items)
        {
            Assert.Contains($"href=\"/campaigns/{row.CampaignId}\"", html, StringComparison.Ordinal);
            Assert.Contains($"/api/v1/tenants/demo/campaigns/{row.CampaignId}/export.csv", html, StringComparison.Ordinal);
        }

        Assert.Equal(list.Items.Count, RowPattern().Count(html));

        // Search and a section narrow the table; sorting by name puts it in order.
        var searched = await Page("/?search=fafsa");
        Assert.Equal(1, RowPattern().Count(searched));
        Assert.Contains("FAFSA reminder", searched, StringComparison.Ordinal);
        var recurring = await Page("/?category=recurring");
        Assert.Contains("Weekly check-in", recurring, StringComparison.Ordinal);
        Assert.DoesNotContain("FAFSA reminder", recurring, StringComparison.Ordinal);
        var byName = await Page("/?sort=name");
        Assert.True(byName.IndexOf("FAFSA reminder", StringComparison.Ordinal) < byName.IndexOf("Weekly check-in", StringComparison.Ordinal));
        Assert.Contains("Campaign ▲", byName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_insights_page_shows_a_sends_figures_questions_and_its_csv_link()
    {
        var list = await App.Campaigns.ListCampaignsAsync(TenantId.Parse("demo"), new CampaignListQuery(Search: "welcome week"));
        var id = Assert.Single(list.Items).CampaignId;

        var html = await Page($"/campaigns/{id}");

        Assert.Contains("<h1>Welcome week", html, StringComparison.Ordinal);
        Assert.Contains("Engagement", html, StringComparison.Ordinal);
        Assert.Contains("Have you found your way to orientation in {{field.major}}?", html, StringComparison.Ordinal);
        Assert.Contains($"/api/v1/tenants/demo/campaigns/{id}/export.csv", html, StringComparison.Ordinal);
        Assert.Contains("Filter by audience", html, StringComparison.Ordinal);
        await Page("/campaigns/cmp_unknown", HttpStatusCode.NotFound);
    }

    [GeneratedRegex("<tr class=\"(upcoming)?\">")]
    private static partial Regex RowPattern();
}
