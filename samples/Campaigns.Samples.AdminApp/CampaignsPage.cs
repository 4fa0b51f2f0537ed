using System.Globalization;
using System.Net;
using System.Text;
using Campaigns;
using Campaigns.Campaigns;
using Campaigns.Reporting;
using Campaigns.Scripts;
using Campaigns.Validation;

namespace Campaigns.Samples.AdminApp;

/// <summary>
/// The campaigns page as staff know it: the sections with their counts in a sidebar, search, the
/// Last Sent filter, the sortable table (upcoming sends in italics, recurring ones marked), the
/// introductory aggregate reports above it, and links to each send's insights and export.
/// Plain server-rendered HTML over <see cref="CampaignsClient"/>, driven by the query string.
/// </summary>
internal static class CampaignsPage
{
    private static readonly (CampaignCategory Category, string Key, string Label)[] Sections =
    [
        (CampaignCategory.All, "all", "All"),
        (CampaignCategory.Sent, "sent", "Sent"),
        (CampaignCategory.InProgress, "inProgress", "In Progress"),
        (CampaignCategory.Upcoming, "upcoming", "Upcoming"),
        (CampaignCategory.Introductory, "introductory", "Introductory"),
        (CampaignCategory.Recurring, "recurring", "Recurring"),
    ];

    private static readonly (CampaignSort Sort, string Key, string Label)[] Columns =
    [
        (CampaignSort.Name, "name", "Campaign"),
        (CampaignSort.Type, "type", "Type"),
        (CampaignSort.Engagement, "engagement", "Engagement"),
        (CampaignSort.Sent, "sent", "Sent"),
        (CampaignSort.LastSent, "lastSent", "Last Sent"),
    ];

    public static async Task<IResult> RenderAsync(HttpContext http, CampaignsClient campaigns)
    {
        var tenant = DemoSeeder.Demo;
        var q = http.Request.Query;
        var view = new View(
            Sections.FirstOrDefault(s => s.Key == q["category"]).Key ?? "all",
            q["search"].ToString().Trim(),
            Columns.FirstOrDefault(c => c.Key == q["sort"]).Key ?? "lastSent",
            q["dir"] == "asc" ? false : q["dir"] == "desc" ? true : null,
            Day(q["from"]),
            Day(q["to"]),
            int.TryParse(q["page"], CultureInfo.InvariantCulture, out var p) && p > 0 ? p : 1);
        var settings = await campaigns.GetTenantAsync(tenant);
        if (settings is null)
        {
            return Results.Content(Layout("Campaigns", "<p>The demo tenant is being set up; reload in a moment.</p>"), "text/html; charset=utf-8");
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(settings.Settings.TimeZone);
        var sort = Columns.First(c => c.Key == view.Sort).Sort;
        var category = Sections.First(s => s.Key == view.Category).Category;
        CampaignListPage page;
        string? problem = null;
        try
        {
            page = await campaigns.ListCampaignsAsync(tenant, new CampaignListQuery(view.Search, category, sort, view.Descending, Page: view.Page, PageSize: 25), view.From, view.To);
        }
        catch (CampaignsValidationException ex)
        {
            problem = string.Join(" ", ex.Errors.SelectMany(e => e.Value));
            view = view with { From = null, To = null };
            page = await campaigns.ListCampaignsAsync(tenant, new CampaignListQuery(view.Search, category, sort, view.Descending, Page: view.Page, PageSize: 25));
        }

        var html = new StringBuilder();
        html.Append("<div class=\"layout\"><nav><h2>Campaigns</h2><ul>");
        foreach (var (section, key, label) in Sections)
        {
            var count = Count(page.Counts, section);
            if ((section == CampaignCategory.InProgress && !page.ShowInProgress) || (section == CampaignCategory.Introductory && !page.ShowIntroductory))
            {
                continue;
            }

            html.Append(Inv($"<li><a class=\"{(key == view.Category ? "active" : string.Empty)}\" href=\"{Encode(view.With(category: key, page: 1).Url)}\">{label} <span class=\"count\">{count}</span></a></li>"));
        }

        html.Append("</ul></nav><main>");
        html.Append(Inv($"""
            <form method="get" action="/" class="filters">
              <input type="hidden" name="category" value="{Encode(view.Category)}"><input type="hidden" name="sort" value="{Encode(view.Sort)}">
              <input type="search" name="search" value="{Encode(view.Search)}" placeholder="Search name or description" aria-label="Search">
              <label>Last Sent from <input type="date" name="from" value="{view.From:yyyy-MM-dd}"></label>
              <label>to <input type="date" name="to" value="{view.To:yyyy-MM-dd}"></label>
              <button type="submit">Filter</button> <a href="/">Clear</a>
            </form>
            """));
        if (problem is not null)
        {
            html.Append(Inv($"<p class=\"problem\">{Encode(problem)}</p>"));
        }

        if (page.ShowIntroductory && category != CampaignCategory.Introductory)
        {
            var intros = await campaigns.ListCampaignsAsync(tenant, new CampaignListQuery(view.Search, CampaignCategory.Introductory, PageSize: 10));
            html.Append("<section class=\"intros\"><h3>Introductory aggregate reports</h3><div class=\"cards\">");
            foreach (var row in intros.Items)
            {
                html.Append(Inv($"""
                    <a class="card" href="/campaigns/{Uri.EscapeDataString(row.CampaignId)}"><strong>{Encode(row.Name)}</strong>
                    <span>{Encode(row.CampaignId.StartsWith("intro-webchat-", StringComparison.Ordinal) ? "New web-chat visitors" : "Unknown numbers (open bot)")}</span>
                    <span>{row.Sent} introduced · {Percent(row.Engagement)} engaged</span></a>
                    """));
            }

            html.Append("</div></section>");
        }

        html.Append("<table><thead><tr>");
        foreach (var (column, key, label) in Columns)
        {
            var active = key == view.Sort;
            var descending = view.Descending ?? CampaignList.DefaultDescending(column);
            var next = view.With(sort: key, descending: active ? !descending : null, page: 1);
            html.Append(Inv($"<th><a href=\"{Encode(next.Url)}\">{label}{(active ? (descending ? " ▼" : " ▲") : string.Empty)}</a></th>"));
        }

        html.Append("<th></th></tr></thead><tbody>");
        foreach (var row in page.Items)
        {
            var when = row.LastSent is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString("MMM d, yyyy h:mm tt", CultureInfo.InvariantCulture) : "—";
            var link = $"/campaigns/{Uri.EscapeDataString(row.CampaignId)}";
            html.Append(Inv($"""
                <tr class="{(row.IsUpcoming ? "upcoming" : string.Empty)}">
                <td><a href="{link}"><strong>{Encode(row.Name)}</strong></a>{(row.IsRecurring ? " <span class=\"badge\" title=\"Recurring\">↻ recurring</span>" : string.Empty)}{(row.Status == CampaignStatus.Sending ? " <span class=\"badge sending\">sending</span>" : string.Empty)}<br><small>{Encode(row.Description)}</small></td>
                <td>{(row.Type == ScriptType.Interactive ? "Interactive" : "Nudge")}</td>
                <td>{Percent(row.Engagement)}</td>
                <td>{row.Sent:N0}</td>
                <td class="when">{when}</td>
                <td class="actions"><a href="{link}">Insights</a> · <a href="/api/v1/tenants/{tenant}/campaigns/{Uri.EscapeDataString(row.CampaignId)}/export.csv">Export</a></td>
                </tr>
                """));
        }

        if (page.Items.Count == 0)
        {
            html.Append("<tr><td colspan=\"6\" class=\"empty\">No campaigns here.</td></tr>");
        }

        html.Append("</tbody></table>");
        var pages = Math.Max(1, (page.Total + 24) / 25);
        html.Append(Inv($"<p class=\"paging\">{page.Total:N0} campaigns · page {view.Page} of {pages} "));
        if (view.Page > 1)
        {
            html.Append(Inv($"<a href=\"{Encode(view.With(page: view.Page - 1).Url)}\">‹ Previous</a> "));
        }

        if (view.Page < pages)
        {
            html.Append(Inv($"<a href=\"{Encode(view.With(page: view.Page + 1).Url)}\">Next ›</a>"));
        }

        html.Append(Inv($"</p><p class=\"api\">Times in {Encode(settings.Settings.TimeZone)}. API: <code>/api/v1/tenants/{tenant}/campaigns</code></p></main></div>"));
        return Results.Content(Layout($"Campaigns — {settings.Settings.DisplayName}", html.ToString()), "text/html; charset=utf-8");
    }

    internal static string Layout(string title, string body) => $$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{Encode(title)}}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font-family:system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
        a{color:#2458c6;text-decoration:none}a:hover{text-decoration:underline}
        header{background:#1d2430;color:#fff;padding:.8rem 1.5rem}header a{color:#fff}
        .layout{display:flex;gap:1.5rem;padding:1.5rem}nav{min-width:12rem}nav ul{list-style:none;padding:0;margin:0}
        nav li a{display:flex;justify-content:space-between;padding:.45rem .7rem;border-radius:6px;color:#1d2430}
        nav li a.active{background:#dfe8fb;font-weight:600}.count{color:#5b6576}
        main{flex:1;min-width:0}.filters{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap;margin-bottom:1rem}
        .filters input[type=search]{flex:1;min-width:14rem;padding:.45rem}
        table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;overflow:hidden}
        td,th{padding:.55rem .8rem;border-bottom:1px solid #e4e7ec;text-align:left;vertical-align:top}
        th a{color:#1d2430}tr.upcoming td.when,tr.upcoming td{font-style:italic}small{color:#5b6576}
        .badge{font-size:.75rem;background:#eef1f6;border-radius:4px;padding:.05rem .35rem;font-style:normal}.badge.sending{background:#fff1c2}
        .intros .cards{display:flex;gap:1rem;flex-wrap:wrap;margin-bottom:1rem}
        .card{display:flex;flex-direction:column;background:#fff;border:1px solid #e4e7ec;border-radius:8px;padding:.7rem 1rem;min-width:14rem;color:#1d2430}
        .card span{color:#5b6576;font-size:.9rem}.problem{color:#a11}.empty{color:#5b6576;text-align:center}
        .figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.8rem;margin:1rem 0}
        .figure{background:#fff;border:1px solid #e4e7ec;border-radius:8px;padding:.7rem}.figure b{display:block;font-size:1.4rem}
        .bar{background:#dfe8fb;height:.6rem;border-radius:3px}.open{color:#16803c}.closed{color:#5b6576}
        </style></head><body><header><a href="/">Campaigns</a> · demo</header>{{body}}</body></html>
        """;

    internal static string Encode(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    internal static string Percent(double? value) => value is { } v ? v.ToString("P0", CultureInfo.InvariantCulture) : "—";

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);

    private static int Count(CategoryCounts counts, CampaignCategory category) => category switch
    {
        CampaignCategory.Sent => counts.Sent,
        CampaignCategory.InProgress => counts.InProgress,
        CampaignCategory.Upcoming => counts.Upcoming,
        CampaignCategory.Introductory => counts.Introductory,
        CampaignCategory.Recurring => counts.Recurring,
        _ => counts.All,
    };

    private static DateOnly? Day(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    /// <summary>What the page shows, as its query string.</summary>
    private sealed record View(string Category, string Search, string Sort, bool? Descending, DateOnly? From, DateOnly? To, int Page)
    {
        public View With(string? category = null, string? sort = null, bool? descending = null, int? page = null) =>
            this with { Category = category ?? Category, Sort = sort ?? Sort, Descending = sort is null ? Descending : descending, Page = page ?? Page };

        public string Url
        {
            get
            {
                var parts = new List<string> { $"category={Category}", $"sort={Sort}" };
                if (Descending is { } d)
                {
                    parts.Add(d ? "dir=desc" : "dir=asc");
                }

                if (Search.Length > 0)
                {
                    parts.Add("search=" + Uri.EscapeDataString(Search));
                }

                if (From is { } f)
                {
                    parts.Add(FormattableString.Invariant($"from={f:yyyy-MM-dd}"));
                }

                if (To is { } t)
                {
                    parts.Add(FormattableString.Invariant($"to={t:yyyy-MM-dd}"));
                }

                if (Page > 1)
                {
                    parts.Add(FormattableString.Invariant($"page={Page}"));
                }

                return "/?" + string.Join("&", parts);
            }
        }
    }
}
