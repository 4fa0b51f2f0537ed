using System.Globalization;
using System.Text;
using Campaigns;
using Campaigns.Campaigns;
using Campaigns.Scripts;
using static Campaigns.Samples.AdminApp.CampaignsPage;

namespace Campaigns.Samples.AdminApp;

/// <summary>One send's insights (or an intro row's, added up), with an audience filter and the CSV export.</summary>
internal static class InsightsPage
{
    public static async Task<IResult> RenderAsync(HttpContext http, string campaignId, CampaignsClient campaigns)
    {
        var tenant = DemoSeeder.Demo;
        var audienceId = http.Request.Query["audienceId"].ToString() is { Length: > 0 } a ? a : null;
        var audiences = await campaigns.ListAudiencesAsync(tenant);
        if (audienceId is not null && audiences.All(x => x.AudienceId != audienceId))
        {
            audienceId = null;
        }

        var i = await campaigns.GetInsightsAsync(tenant, campaignId, audienceId, http.RequestAborted);
        if (i is null)
        {
            return Results.Content(Layout("Not found", "<main class=\"layout\"><p>There is no such campaign. <a href=\"/\">Back to campaigns</a></p></main>"), "text/html; charset=utf-8", statusCode: 404);
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById((await campaigns.GetTenantAsync(tenant))!.Settings.TimeZone);
        var html = new StringBuilder("<div class=\"layout\"><main>");
        var trigger = i.Trigger is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString("MMM d, yyyy h:mm tt", CultureInfo.InvariantCulture) : "automatic (introductory)";
        var recipients = i.IntroTrigger is { } t ? (t == IntroTrigger.Webchat ? "New web-chat visitors" : "Unknown numbers texting the open bot")
            : i.Recipients?.AudienceId is { } audience ? $"Audience {audience}" : $"Import {i.Recipients?.ImportId}";
        html.Append(Inv($"""
            <p><a href="/">‹ Campaigns</a></p>
            <h1>{Encode(i.Name)} <small class="{(i.Open ? "open" : "closed")}">{(i.Open ? "● Open" : "Closed")}</small></h1>
            <p>{(i.Type == ScriptType.Interactive ? "Interactive" : "Nudge")} · {Encode(recipients)} · Trigger: {Encode(trigger)}{(i.DurationHours is { } h ? Inv($" · Duration: {h} h") : string.Empty)}</p>
            <form method="get" class="filters"><label>Filter by audience
              <select name="audienceId" onchange="this.form.submit()"><option value="">Everyone it targeted</option>
            """));
        foreach (var x in audiences)
        {
            html.Append(Inv($"<option value=\"{Encode(x.AudienceId)}\"{(x.AudienceId == audienceId ? " selected" : string.Empty)}>{Encode(x.Name)}</option>"));
        }

        var export = $"/api/v1/tenants/{tenant}/campaigns/{Uri.EscapeDataString(campaignId)}/export.csv" + (audienceId is null ? string.Empty : "?audienceId=" + Uri.EscapeDataString(audienceId));
        html.Append(Inv($"</select></label> <noscript><button>Apply</button></noscript> <a href=\"{Encode(export)}\">Download CSV</a></form><div class=\"figures\">"));
        foreach (var (label, value) in new (string, string)[]
        {
            ("Sent", i.Sent.ToString("N0", CultureInfo.InvariantCulture)),
            ("Delivered", i.Delivered.ToString("N0", CultureInfo.InvariantCulture)),
            ("Failed", i.Failed.ToString("N0", CultureInfo.InvariantCulture)),
            ("Skipped", i.Skipped.ToString("N0", CultureInfo.InvariantCulture)),
            ("Waiting", i.Waiting.ToString("N0", CultureInfo.InvariantCulture)),
            ("Responded", i.Responded.ToString("N0", CultureInfo.InvariantCulture)),
            ("Engagement", Percent(i.Engagement)),
            ("Opted out", i.OptedOut.ToString("N0", CultureInfo.InvariantCulture)),
            ("Paused", i.Paused.ToString("N0", CultureInfo.InvariantCulture)),
            ("Invalid responses", i.InvalidResponses.ToString("N0", CultureInfo.InvariantCulture)),
        })
        {
            html.Append(Inv($"<div class=\"figure\"><b>{value}</b>{label}</div>"));
        }

        html.Append("</div>");
        if (i.Failures.Count > 0 || i.SkippedReasons.Count > 0)
        {
            html.Append("<h3>Errors and skips</h3><table><tbody>");
            foreach (var (kind, reasons) in new[] { ("Failed", i.Failures), ("Skipped", i.SkippedReasons) })
            {
                foreach (var r in reasons)
                {
                    html.Append(Inv($"<tr><td>{kind}</td><td>{Encode(r.Reason)}</td><td>{r.Count:N0}</td></tr>"));
                }
            }

            html.Append("</tbody></table>");
        }

        foreach (var question in i.Questions)
        {
            var total = Math.Max(1, question.Answers.Sum(x => x.Count));
            html.Append(Inv($"<h3>{Encode(question.Text)}</h3><table><tbody>"));
            foreach (var answer in question.Answers)
            {
                var share = (double)answer.Count / total;
                html.Append(Inv($"<tr><td>{Encode(answer.Answer)}</td><td style=\"width:50%\"><div class=\"bar\" style=\"width:{share * 100:0}%\"></div></td><td>{answer.Count:N0}</td></tr>"));
            }

            html.Append(Inv($"<tr><td><small>Invalid answers</small></td><td></td><td>{question.Invalid:N0}</td></tr></tbody></table>"));
        }

        html.Append("</main></div>");
        return Results.Content(Layout(i.Name, html.ToString()), "text/html; charset=utf-8");
    }

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);
}
