using Campaigns.Campaigns;

namespace Campaigns.Tests.Docs;

/// <summary>The C# example of docs/reporting.md, kept here so it compiles (a test checks the page shows it verbatim).</summary>
internal static class ReportingDocsSnippet
{
    public static async Task RunAsync(CampaignsClient campaigns, TenantId tenant, string campaignId, string audienceId)
    {
        // The upcoming section, searched and sorted by name, with every section's count.
        var page = await campaigns.ListCampaignsAsync(tenant, new CampaignListQuery(
            Search: "orientation", Category: CampaignCategory.Upcoming, Sort: CampaignSort.Name));
        Console.WriteLine($"{page.Total} upcoming of {page.Counts.All}; in progress shown: {page.ShowInProgress}");

        // One send's insights, limited to the current members of an audience.
        var insights = await campaigns.GetInsightsAsync(tenant, campaignId, audienceId);
        Console.WriteLine($"sent {insights?.Sent}, engagement {insights?.Engagement:P0}");

        // Its results as CSV, streamed page by page.
        if (await campaigns.OpenExportAsync(tenant, campaignId) is { } export)
        {
            await using var file = File.CreateText($"{campaignId}.csv");
            await export.WriteCsvAsync(file);
        }

        // Intro reports for March (whole days in the tenant's time zone).
        foreach (var intro in await campaigns.GetIntroductoryReportsAsync(tenant, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31)))
        {
            Console.WriteLine($"{intro.Trigger} {intro.ScriptId}: {intro.Introduced} introduced, {intro.Responded} replied");
        }

        // After restoring a backup: rebuild the list from the delivery facts.
        var rebuilt = await campaigns.RebuildCampaignListAsync(tenant);
        Console.WriteLine($"{rebuilt.Rows} rows, {rebuilt.Changed} differed");
    }
}
