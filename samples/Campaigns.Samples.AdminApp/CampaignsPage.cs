using System.Net;
using System.Text;
using Campaigns;
using Campaigns.Campaigns;

namespace Campaigns.Samples.AdminApp;

/// <summary>A plain page listing the demo tenant's campaigns (the full admin UI is a later step).</summary>
internal static class CampaignsPage
{
    public static async Task<IResult> RenderAsync(CampaignsClient campaigns)
    {
        var page = await campaigns.ListCampaignsAsync(DemoSeeder.Demo, new CampaignListQuery(PageSize: 100));
        var html = new StringBuilder("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Campaigns</title>
            <style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.4rem .8rem;border-bottom:1px solid #ddd;text-align:left}.upcoming{font-style:italic}</style>
            </head><body><h1>Campaigns — demo</h1>
            """);
        html.Append(CultureInvariant($"<p>All {page.Counts.All} · Sent {page.Counts.Sent} · In progress {page.Counts.InProgress} · Upcoming {page.Counts.Upcoming}</p>"));
        html.Append("<table><thead><tr><th>Campaign</th><th>Type</th><th>Engagement</th><th>Sent</th><th>Last sent</th><th>Status</th></tr></thead><tbody>");
        foreach (var row in page.Items)
        {
            html.Append(CultureInvariant($"""
                <tr class="{(row.IsUpcoming ? "upcoming" : string.Empty)}"><td><strong>{Encode(row.Name)}</strong><br><small>{Encode(row.Description)}</small></td>
                <td>{(row.Type == Scripts.ScriptType.Interactive ? "Interactive" : "Nudge")}</td>
                <td>{(row.Engagement is { } e ? e.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) : "—")}</td>
                <td>{row.Sent}</td><td>{row.LastSent:yyyy-MM-dd HH:mm} UTC</td><td>{row.Status.ToString().ToLowerInvariant()}</td></tr>
                """));
        }

        html.Append("</tbody></table><p>API: <code>/api/v1/tenants/demo/campaigns</code></p></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);
}
