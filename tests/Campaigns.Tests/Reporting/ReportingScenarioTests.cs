using System.Text.Json;
using System.Text.Json.Nodes;
using Campaigns.AspNetCore;
using Campaigns.Campaigns;
using Campaigns.Reporting;
using Campaigns.Scripts;
using Campaigns.Tests.Support;
using Microsoft.Data.Sqlite;
using Snapshooter;
using Snapshooter.Xunit3;

namespace Campaigns.Tests.Reporting;

/// <summary>The reporting rules end to end, on a tenant with a send of every kind (see <see cref="ReportingScenario"/>).</summary>
public sealed class ReportingScenarioTests
{
    private static readonly TenantId Tenant = ReportingScenario.Tenant;

    private static CampaignListQuery Query(CampaignCategory category = CampaignCategory.All, CampaignSort sort = CampaignSort.LastSent, bool? descending = null, string? search = null) =>
        new(search, category, sort, descending);

    [Fact]
    public async Task Each_section_holds_its_sends_with_counts_flags_and_figures_from_the_facts()
    {
        using var dir = new TempDirectory();
        await using var s = await ReportingScenario.StartAsync(dir.Path);
        await s.BuildAsync();

        async Task<CampaignListPage> List(CampaignCategory category) => await s.Client.ListCampaignsAsync(Tenant, Query(category));

        var all = await List(CampaignCategory.All);
        Assert.Equal(["Fall orientation", "Daily check-in next", "Advising survey", "Library hours", "Daily check-in Tue", "Daily check-in Mon", "Spring welcome"], s.Names(all));
        Assert.Equal(new CategoryCounts(All: 7, Sent: 4, InProgress: 1, Upcoming: 2, Introductory: 2, Recurring: 3), all.Counts);
        Assert.Equal(7, all.Total);
        Assert.True(all.ShowInProgress);
        Assert.True(all.ShowIntroductory);
        Assert.Equal(["Library hours", "Daily check-in Tue", "Daily check-in Mon", "Spring welcome"], s.Names(await List(CampaignCategory.Sent)));
        Assert.Equal(["Advising survey"], s.Names(await List(CampaignCategory.InProgress)));
        Assert.Equal(["Fall orientation", "Daily check-in next"], s.Names(await List(CampaignCategory.Upcoming)));

        // Intro rows are only in their own section: sent counts contacts introduced, engagement those who replied.
        var intros = await List(CampaignCategory.Introductory);
        Assert.Equal(["Intro open bot", "Intro web chat"], s.Names(intros));
        Assert.Equal(2, intros.Total);
        var chat = intros.Items[1];
        Assert.Equal((2, 0.5, true, false, "Campus assistant"), (chat.Sent, chat.Engagement, chat.IsIntroductory, chat.IsRecurring, chat.Name));
        Assert.Equal(ReportingScenario.T0.AddHours(43.5), chat.LastSent);
        Assert.Equal((1, 0.0), (intros.Items[0].Sent, intros.Items[0].Engagement));
        Assert.Equal(ReportingScenario.T0.AddHours(43.5).AddMinutes(1), intros.Items[0].LastSent);
        Assert.Equal(["Daily check-in next", "Daily check-in Tue", "Daily check-in Mon"], s.Names(await List(CampaignCategory.Recurring)));

        var rows = all.Items.ToDictionary(r => s.Name(r.CampaignId));

        // Sent counts the carrier failure and not the two skipped contacts; an invalid answer and a #pause are responses.
        var welcome = rows["Spring welcome"];
        Assert.Equal((3, 2, ScriptType.Interactive, CampaignStatus.Sent, false), (welcome.Sent, welcome.Responded, welcome.Type, welcome.Status, welcome.IsUpcoming));
        Assert.Equal(2.0 / 3, welcome.Engagement);
        Assert.Equal(ReportingScenario.T0, welcome.LastSent);
        var library = rows["Library hours"];
        Assert.Equal((3, ScriptType.Nudge), (library.Sent, library.Type));
        Assert.Null(library.Engagement);
        Assert.Equal(ReportingScenario.T0.AddHours(35.5), library.LastSent);
        var advising = rows["Advising survey"];
        Assert.Equal((CampaignStatus.Sending, 0), (advising.Status, advising.Sent));
        Assert.Null(advising.Engagement);
        var fall = rows["Fall orientation"];
        Assert.Equal((CampaignStatus.Scheduled, true, 0), (fall.Status, fall.IsUpcoming, fall.Sent));
        Assert.Equal(ReportingScenario.T0.AddDays(30), fall.LastSent);
        Assert.Null(fall.Engagement);
        Assert.All(all.Items, r => Assert.False(r.IsIntroductory));

        // Each past instance of the recurring campaign is its own send at its own time; the next send is upcoming.
        var monday = rows["Daily check-in Mon"];
        Assert.Equal((s.ScheduleId, true, 3, 0.0, false), (monday.ScheduleId, monday.IsRecurring, monday.Sent, monday.Engagement, monday.IsUpcoming));
        Assert.Equal(ReportingScenario.T0.AddMinutes(1), monday.LastSent);
        Assert.Equal(ReportingScenario.T0.AddDays(1).AddMinutes(1), rows["Daily check-in Tue"].LastSent);
        var next = rows["Daily check-in next"];
        Assert.Equal((s.ScheduleId, true, true, CampaignStatus.Scheduled, 0), (next.ScheduleId, next.IsRecurring, next.IsUpcoming, next.Status, next.Sent));
        Assert.Equal(ReportingScenario.T0.AddDays(2).AddMinutes(1), next.LastSent);
        Assert.All(all.Items.Where(r => !r.Name.StartsWith("Daily", StringComparison.Ordinal)), r => Assert.False(r.IsRecurring));

        // Once the held send finishes, nothing is in progress and the section hides.
        await s.FinishHeldSendAsync();
        var after = await List(CampaignCategory.All);
        Assert.Equal(new CategoryCounts(All: 7, Sent: 5, InProgress: 0, Upcoming: 2, Introductory: 2, Recurring: 3), after.Counts);
        Assert.False(after.ShowInProgress);
        var finished = after.Items.Single(r => r.CampaignId == s.Id("Advising survey"));
        Assert.Equal((3, 0.0), (finished.Sent, finished.Engagement));
    }

    [Fact]
    public async Task Every_column_sorts_both_ways_with_rows_without_engagement_last_and_the_stable_tie_break()
    {
        using var dir = new TempDirectory();
        await using var s = await ReportingScenario.StartAsync(dir.Path);
        await s.BuildAsync();

        async Task<IEnumerable<string>> Sorted(CampaignSort sort, bool? descending = null) =>
            s.Names(await s.Client.ListCampaignsAsync(Tenant, Query(sort: sort, descending: descending)));

        Assert.Equal(["Fall orientation", "Daily check-in next", "Advising survey", "Library hours", "Daily check-in Tue", "Daily check-in Mon", "Spring welcome"], await Sorted(CampaignSort.LastSent));
        Assert.Equal(["Spring welcome", "Daily check-in Mon", "Daily check-in Tue", "Library hours", "Advising survey", "Daily check-in next", "Fall orientation"], await Sorted(CampaignSort.LastSent, false));

        // The three rows of the recurring campaign share a name and fall back to Last Sent descending either way.
        Assert.Equal(["Advising survey", "Daily check-in next", "Daily check-in Tue", "Daily check-in Mon", "Fall orientation", "Library hours", "Spring welcome"], await Sorted(CampaignSort.Name));
        Assert.Equal(["Spring welcome", "Library hours", "Fall orientation", "Daily check-in next", "Daily check-in Tue", "Daily check-in Mon", "Advising survey"], await Sorted(CampaignSort.Name, true));

        // Six interactive rows tie on type and fall back to Last Sent descending.
        Assert.Equal(["Fall orientation", "Daily check-in next", "Advising survey", "Daily check-in Tue", "Daily check-in Mon", "Spring welcome", "Library hours"], await Sorted(CampaignSort.Type));
        Assert.Equal(["Library hours", "Fall orientation", "Daily check-in next", "Advising survey", "Daily check-in Tue", "Daily check-in Mon", "Spring welcome"], await Sorted(CampaignSort.Type, true));

        // Sent ties (four at 3, three at 0) fall back to Last Sent descending in both directions.
        Assert.Equal(["Library hours", "Daily check-in Tue", "Daily check-in Mon", "Spring welcome", "Fall orientation", "Daily check-in next", "Advising survey"], await Sorted(CampaignSort.Sent));
        Assert.Equal(["Fall orientation", "Daily check-in next", "Advising survey", "Library hours", "Daily check-in Tue", "Daily check-in Mon", "Spring welcome"], await Sorted(CampaignSort.Sent, false));

        // Engagement 2/3 and two zeros (a tie); rows without engagement follow either way, by Last Sent descending.
        Assert.Equal(["Spring welcome", "Daily check-in Tue", "Daily check-in Mon", "Fall orientation", "Daily check-in next", "Advising survey", "Library hours"], await Sorted(CampaignSort.Engagement));
        Assert.Equal(["Daily check-in Tue", "Daily check-in Mon", "Spring welcome", "Fall orientation", "Daily check-in next", "Advising survey", "Library hours"], await Sorted(CampaignSort.Engagement, false));

        var page2 = await s.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(Sort: CampaignSort.Name, Page: 2, PageSize: 3));
        Assert.Equal(["Daily check-in Mon", "Fall orientation", "Library hours"], s.Names(page2));
        Assert.Equal(7, page2.Total);
        Assert.Empty((await s.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(Page: 3, PageSize: 4))).Items);
    }

    [Fact]
    public async Task Search_and_the_last_sent_filter_in_the_tenant_zone_shape_the_counts_and_hide_sections()
    {
        using var dir = new TempDirectory();
        await using var s = await ReportingScenario.StartAsync(dir.Path);
        await s.BuildAsync();

        var assistant = await s.Client.ListCampaignsAsync(Tenant, Query(search: "newcomers"));
        Assert.Equal((0, 2, true), (assistant.Total, assistant.Counts.Introductory, assistant.ShowIntroductory));

        var searched = await s.Client.ListCampaignsAsync(Tenant, Query(CampaignCategory.Sent, search: " CLASS of "));
        Assert.Equal(["Library hours"], s.Names(searched));
        Assert.Equal(new CategoryCounts(All: 2, Sent: 1, InProgress: 0, Upcoming: 1, Introductory: 0, Recurring: 0), searched.Counts);
        Assert.False(searched.ShowInProgress);

        // The nudge went at 21:30 on Tuesday in New York, which is Wednesday in UTC: the tenant's day decides.
        var tuesday = await s.Client.ListCampaignsAsync(Tenant, Query(), new DateOnly(2026, 3, 3), new DateOnly(2026, 3, 3));
        Assert.Equal(["Library hours", "Daily check-in Tue"], s.Names(tuesday));
        Assert.Equal(new CategoryCounts(All: 2, Sent: 2, InProgress: 0, Upcoming: 0, Introductory: 0, Recurring: 1), tuesday.Counts);
        Assert.False(tuesday.ShowIntroductory);
        Assert.Empty((await s.Client.ListCampaignsAsync(Tenant, Query(CampaignCategory.Introductory), new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31))).Items);
        var wednesdayOn = await s.Client.ListCampaignsAsync(Tenant, Query(), new DateOnly(2026, 3, 4), null);
        Assert.Equal(["Fall orientation", "Daily check-in next", "Advising survey"], s.Names(wednesdayOn));
        Assert.True(wednesdayOn.ShowInProgress);
        var untilMonday = await s.Client.ListCampaignsAsync(Tenant, Query(), null, new DateOnly(2026, 3, 2));
        Assert.Equal(["Daily check-in Mon", "Spring welcome"], s.Names(untilMonday));

        var backwards = await Assert.ThrowsAsync<Validation.CampaignsValidationException>(() =>
            s.Client.ListCampaignsAsync(Tenant, Query(), new DateOnly(2026, 3, 4), new DateOnly(2026, 3, 3)));
        Assert.Equal(["lastSentTo"], backwards.Errors.Keys);
    }

    [Fact]
    public async Task Insights_count_sent_delivered_failed_skipped_responses_and_answers_from_the_facts()
    {
        using var dir = new TempDirectory();
        await using var s = await ReportingScenario.StartAsync(dir.Path);
        await s.BuildAsync();

        var i = await s.Client.GetInsightsAsync(Tenant, s.Id("Spring welcome"));
        Assert.NotNull(i);
        Assert.Equal(("Spring welcome", ScriptType.Interactive, true, ReportingScenario.T0, 72), (i.Name, i.Type, i.Open, i.Trigger, i.DurationHours));
        Assert.Equal(s.ImportId, i.Recipients!.ImportId);
        Assert.Null(i.IntroTrigger);
        Assert.Equal((3, 1, 1, 2, 0), (i.Sent, i.Delivered, i.Failed, i.Skipped, i.Waiting));
        Assert.Equal((2, 0, 1, 1), (i.Responded, i.OptedOut, i.Paused, i.InvalidResponses));
        Assert.Equal(2.0 / 3, i.Engagement);
        Assert.Equal([new ReasonCount("carrier rejected: unreachable", 1)], i.Failures);
        Assert.Equal([new ReasonCount("no address", 1), new ReasonCount("opted out", 1)], i.SkippedReasons);
        Assert.Equal(2, i.Questions.Count);
        Assert.Equal(("ask", "Are you on track this term?", StepKind.YesNo, 1), (i.Questions[0].StepId, i.Questions[0].Text, i.Questions[0].Kind, i.Questions[0].Invalid));
        Assert.Equal([new AnswerCount("yes", 1), new AnswerCount("no", 0)], i.Questions[0].Answers);
        Assert.Equal([new AnswerCount("Tutoring", 1), new AnswerCount("Advising", 0), new AnswerCount("Money", 0)], i.Questions[1].Answers);
        Assert.Equal(0, i.Questions[1].Invalid);

        // The list and the insights are two views of the same facts.
        var row = await s.Client.GetCampaignRowAsync(Tenant, s.Id("Spring welcome"));
        Assert.Equal((row!.Sent, row.Engagement), (i.Sent, i.Engagement));

        var nudge = await s.Client.GetInsightsAsync(Tenant, s.Id("Library hours"));
        Assert.Equal((3, 2, (double?)null), (nudge!.Sent, nudge.Skipped, nudge.Engagement));
        Assert.Empty(nudge.Questions);
        var instance = await s.Client.GetInsightsAsync(Tenant, s.Id("Daily check-in Tue"));
        Assert.Equal((ReportingScenario.T0.AddDays(1).AddMinutes(1), 3, 2, 0.0), (instance!.Trigger, instance.Sent, instance.Skipped, instance.Engagement));
        var upcoming = await s.Client.GetInsightsAsync(Tenant, s.Id("Fall orientation"));
        Assert.Equal((false, ReportingScenario.T0.AddDays(30), 0), (upcoming!.Open, upcoming.Trigger, upcoming.Sent));

        // 72 hours after it was sent, the welcome's script is no longer open.
        s.Clock.Advance(ReportingScenario.T0.AddHours(72) - s.Clock.GetUtcNow());
        Assert.False((await s.Client.GetInsightsAsync(Tenant, s.Id("Spring welcome")))!.Open);

        Assert.Null(await s.Client.GetInsightsAsync(Tenant, "cmp_unknown"));
        Assert.Null(await s.Client.GetInsightsAsync(TenantId.Parse("other-u"), s.Id("Spring welcome")));
        var audience = await Assert.ThrowsAsync<Validation.CampaignsValidationException>(() => s.Client.GetInsightsAsync(Tenant, s.Id("Spring welcome"), "aud_missing"));
        Assert.Equal(["audienceId"], audience.Errors.Keys);
    }

    [Fact]
    public async Task An_audience_filter_limits_every_figure_and_the_export_to_its_members_now()
    {
        using var dir = new TempDirectory();
        await using var s = await ReportingScenario.StartAsync(dir.Path);
        await s.BuildAsync();
        var cohort = await s.Client.CreateAudienceAsync(Tenant, new global::Campaigns.Contacts.AudienceDraft("Class of 2027", [new global::Campaigns.Contacts.AudienceRuleDraft("cohort", "is", "2027")]));

        // Turing (cohort 2026, the carrier failure) is not a member: Lovelace and Hopper were sent, Out and Phone skipped.
        var members = await s.Client.GetInsightsAsync(Tenant, s.Id("Spring welcome"), cohort.AudienceId);
        Assert.Equal((2, 0, 2, 2, 1.0, 1), (members!.Sent, members.Failed, members.Skipped, members.Responded, members.Engagement, members.Paused));
        Assert.Empty(members.Failures);
        Assert.Equal(cohort.AudienceId, members.AudienceId);
        var rows = new List<string>();
        await foreach (var row in (await s.Client.OpenExportAsync(Tenant, s.Id("Spring welcome"), cohort.AudienceId))!.ReadRowsAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(row[2]);
        }

        Assert.Equal(["Hopper", "Lovelace", "Out", "Phone"], rows.Order(StringComparer.Ordinal));

        // Membership is evaluated when the report is read: Hopper moves to another cohort and drops out.
        using (var csv = new MemoryStream("phone,first_name,last_name,cohort\n2015550102,Grace,Hopper,2028\n"u8.ToArray()))
        {
            Assert.Empty((await s.Client.ImportContactsAsync(Tenant, csv, cancellationToken: TestContext.Current.CancellationToken)).Errors);
        }

        var now = await s.Client.GetInsightsAsync(Tenant, s.Id("Spring welcome"), cohort.AudienceId);
        Assert.Equal((1, 1, 1.0, 0), (now!.Sent, now.Responded, now.Engagement, now.Paused));

        // The whole campaign is unchanged.
        Assert.Equal(3, (await s.Client.GetInsightsAsync(Tenant, s.Id("Spring welcome")))!.Sent);
    }

    [Fact]
    public async Task The_export_has_a_row_per_targeted_contact_with_status_reason_answers_and_no_live_formulas()
    {
        using var dir = new TempDirectory();
        await using var s = await ReportingScenario.StartAsync(dir.Path);
        await s.BuildAsync();

        var export = await s.Client.OpenExportAsync(Tenant, s.Id("Spring welcome"));
        Assert.NotNull(export);
        using var text = new StringWriter();
        await export.WriteCsvAsync(text, TestContext.Current.CancellationToken);
        var lines = text.ToString().Split("\r\n");
        Assert.Equal("contact_id,first_name,last_name,address,channel,status,failure_reason,sent_at,delivered_at,responded,first_response_at,opted_out,paused,q_ask,q_pick", lines[0]);
        Assert.Equal(7, lines.Length);
        Assert.Equal(string.Empty, lines[^1]);
        var byContact = lines[1..^1].ToDictionary(l => l[..l.IndexOf(',', StringComparison.Ordinal)], StringComparer.Ordinal);
        Assert.Equal(5, byContact.Count);

        string Line(string lastName) => byContact[s.Contacts[lastName]];
        var answered = ReportingScenario.T0.AddHours(43.5);
        Assert.Equal($"{s.Contacts["Lovelace"]},Ada,Lovelace,+12015550101,sms,delivered,,2026-03-02T15:00:00.000Z,{Iso(answered)},true,{Iso(answered)},false,false,yes,Tutoring", Line("Lovelace"));
        Assert.Equal($"{s.Contacts["Hopper"]},Grace,Hopper,+12015550102,sms,sent,,2026-03-02T15:00:00.000Z,,true,{Iso(answered)},false,true,,", Line("Hopper"));

        // The formula in the name and the leading minus are neutralised; the E.164 phone is left alone.
        Assert.Equal($"{s.Contacts["-Turing"]},\"'=HYPERLINK(\"\"http://x.test\"\")\",'-Turing,+12015550103,sms,failed,carrier rejected: unreachable,2026-03-02T15:00:00.000Z,,false,,false,false,,", Line("-Turing"));
        Assert.Equal($"{s.Contacts["Out"]},Olive,Out,+12015550104,sms,skipped,opted out,,,false,,false,false,,", Line("Out"));
        Assert.Equal($"{s.Contacts["Phone"]},Nora,Phone,,sms,skipped,no address,,,false,,false,false,,", Line("Phone"));

        // The held send's contacts are claimed: they export as sent (being attempted), the skipped ones as skipped.
        var held = await s.Client.OpenExportAsync(Tenant, s.Id("Advising survey"));
        var statuses = new List<string>();
        await foreach (var row in held!.ReadRowsAsync(TestContext.Current.CancellationToken))
        {
            statuses.Add(row[5]);
        }

        Assert.Equal(["sent", "sent", "sent", "skipped", "skipped"], statuses.Order(StringComparer.Ordinal));
        Assert.Null(await s.Client.OpenExportAsync(Tenant, "cmp_unknown"));
    }

    [Fact]
    public async Task The_list_response_for_the_tenant_matches_its_snapshot()
    {
        using var dir = new TempDirectory();
        await using var s = await ReportingScenario.StartAsync(dir.Path);
        await s.BuildAsync();

        var all = await s.Client.ListCampaignsAsync(Tenant, Query());
        var sentByName = await s.Client.ListCampaignsAsync(Tenant, Query(CampaignCategory.Sent, CampaignSort.Name));
        var response = new JsonObject
        {
            ["GET /campaigns"] = Response(s, all),
            ["GET /campaigns?category=sent&sort=name"] = Response(s, sentByName),
            ["GET /campaigns?category=introductory"] = Response(s, await s.Client.ListCampaignsAsync(Tenant, Query(CampaignCategory.Introductory))),
        };

        MatchSnapshot(Newtonsoft.Json.Linq.JToken.Parse(response.ToJsonString()), nameof(The_list_response_for_the_tenant_matches_its_snapshot));
    }

    [Fact]
    public async Task A_rebuild_from_the_facts_equals_the_live_list_and_restores_it_from_nothing()
    {
        using var dir = new TempDirectory();
        IReadOnlyList<CampaignRow> live;
        Dictionary<string, string> ids;
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(ReportingScenario.T0);
        await using (var s = await ReportingScenario.StartAsync(dir.Path, clock))
        {
            await s.BuildAsync();
            await s.FinishHeldSendAsync();
            live = await s.AllRowsAsync();
            Assert.Equal(10, live.Count);

            var rebuilt = await s.Client.RebuildCampaignListAsync(Tenant, TestContext.Current.CancellationToken);
            Assert.Equal(new IndexRebuild(Rows: 10, Changed: 0), rebuilt);
            Assert.Equal(live, await s.AllRowsAsync());
            ids = s.Campaigns;
        }

        // The read model is lost: every send with facts or a due time comes back exactly as it was.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dir.Path, "campaigns.db")};Pooling=False"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var wipe = connection.CreateCommand();
            wipe.CommandText = "DELETE FROM campaign_rows";
            Assert.Equal(10, await wipe.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }

        await using var restarted = await ReportingScenario.StartAsync(dir.Path, clock);
        Assert.Empty(await restarted.AllRowsAsync());
        var restored = await restarted.Client.RebuildCampaignListAsync(Tenant, TestContext.Current.CancellationToken);

        // Sends and intro rows come back from their facts, the upcoming send from its due time, the recurring
        // campaign's next send from its schedule. A cancelled send never sent and is in no section: it alone is not recoverable.
        Assert.Equal(new IndexRebuild(Rows: 9, Changed: 9), restored);
        Assert.Equal(live.Where(r => r.CampaignId != ids["Bake sale"]), await restarted.AllRowsAsync());
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The list endpoint's JSON with each random campaign and schedule id replaced by a name, so the snapshot is stable.</summary>
    private static JsonNode Response(ReportingScenario s, CampaignListPage page)
    {
        var json = JsonSerializer.SerializeToNode(ApiViews.List(page), WebJson)!;
        foreach (var item in json["items"]!.AsArray())
        {
            item!["campaignId"] = s.Name(item["campaignId"]!.GetValue<string>());
            if (item["scheduleId"]?.GetValue<string>() is { } scheduleId)
            {
                Assert.Equal(s.ScheduleId, scheduleId);
                item["scheduleId"] = "Daily check-in schedule";
            }
        }

        return json;
    }

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Matches the snapshot kept beside this file. The folder is named explicitly (CI builds map source
    /// paths away), and on CI a missing snapshot fails instead of being written and passing.
    /// </summary>
    internal static void MatchSnapshot(object value, string test)
    {
        var folder = Path.Combine(TestServices.RepositoryRoot(), "tests", "Campaigns.Tests", "Reporting");
        var name = new SnapshotFullName($"{nameof(ReportingScenarioTests)}.{test}.snap", folder);
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.True(File.Exists(Path.Combine(folder, "__snapshots__", name.Filename)), $"The snapshot {name.Filename} is not committed.");
        }

        Snapshot.Match(value, name);
    }
}
