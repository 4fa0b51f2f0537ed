using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Conversations;
using Campaigns.Grains;
using Campaigns.Reporting;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Campaigns.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Reporting;

/// <summary>
/// Introductory rows as the conversation engine writes them (intro sends and replies are facts under
/// <c>intro-{trigger}-{scriptId}</c>, and the index holds an introductory row for it): their section,
/// their insights, export and aggregate reports over a period in the tenant's time zone.
/// </summary>
public sealed class IntroductoryReportTests
{
    private static readonly TenantId Tenant = TenantId.Parse("intro-u");
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero); // 09:00 in New York

    private const string Csv = """
        phone,first_name,last_name
        2015550101,Ada,One
        2015550102,Bea,Two
        2015550103,Cy,Three
        2015550104,Di,Four
        """;

    private sealed record Intro(CampaignsTestCluster Env, Script Chat, Script Sms, IReadOnlyList<Contact> Contacts, string ImportId)
    {
        public string ChatId => IntroductoryCampaign.Id(IntroTrigger.Webchat, Chat.ScriptId);

        public string SmsId => IntroductoryCampaign.Id(IntroTrigger.OpenBotSms, Sms.ScriptId);

        private IIntroductionGrain Grain(string id)
        {
            TenantContext.Set(Tenant);
            return Env.Cluster.Client.GetGrain<IIntroductionGrain>(Tenant.Key(id));
        }

        /// <summary>An intro sent to a contact at a time, through the introduction grain as a conversation sends it.</summary>
        public async Task IntroduceAsync(Script script, IntroTrigger trigger, Contact contact, DateTimeOffset at)
        {
            var grain = Grain(IntroductoryCampaign.Id(trigger, script.ScriptId));
            Assert.True(await grain.Claim(contact.ContactId, trigger.Channel(), contact.Phone!));
            await grain.Sent(contact.ContactId, true, $"msg-{script.ScriptId}-{contact.ContactId}", null, at);
        }

        public async Task ReplyAsync(string id, Contact contact, FactResponse response, bool first = true) =>
            await Grain(id).RecordResponse(new ContactResponse(contact.ContactId, response.At, response.StepId, response.Answer, response.Invalid, response.OptedOut, response.Paused, first));
    }

    private static async Task<Intro> StartAsync(string dataDirectory)
    {
        var env = await CampaignsTestCluster.StartAsync(dataDirectory, new FakeTimeProvider(Monday));
        var (importId, chat) = await env.SeedAsync(Tenant, Csv, new StepDraft("hi", "message", "Hi! I'm the campus assistant."), new StepDraft("q", "yesNo", "Are you a student here?"));
        var sms = await env.Client.CreateScriptAsync(Tenant, new ScriptDraft("Unknown number intro", "Says who we are", [new StepDraft("hi", "message", "This is State U.")]));
        await env.Client.PutTenantAsync(Tenant, new TenantSettings("Intro U", "America/New_York", OpenBot: true, IntroScripts: new IntroScripts(chat.ScriptId, sms.ScriptId)));
        var contacts = await env.Store.GetImportContactsAsync(Tenant, importId, ImportSubset.All, null, 10);
        return new Intro(env, chat, sms, [.. contacts.OrderBy(c => c.LastName, StringComparer.Ordinal)], importId);
    }

    [Fact]
    public async Task Intro_rows_appear_only_in_their_section_with_introduced_replied_and_the_latest_intro()
    {
        using var dir = new TempDirectory();
        var intro = await StartAsync(dir.Path);
        await using var env = intro.Env;
        var (four, one, three, two) = (intro.Contacts[0], intro.Contacts[1], intro.Contacts[2], intro.Contacts[3]);
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, one, Monday);
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, two, Monday.AddDays(1));
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, three, Monday.AddDays(2));
        await intro.IntroduceAsync(intro.Sms, IntroTrigger.OpenBotSms, four, Monday.AddHours(1));
        await intro.ReplyAsync(intro.ChatId, one, new FactResponse(Monday.AddMinutes(5), "q", "yes"));
        await intro.ReplyAsync(intro.ChatId, three, new FactResponse(Monday.AddDays(2).AddMinutes(1), "q", Invalid: true));
        var campaign = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(intro.ImportId, intro.Chat.ScriptId, CampaignSchedule.Once(Monday.AddDays(9))));

        var all = await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery());
        Assert.Equal([campaign], all.Items.Select(r => r.CampaignId));
        Assert.Equal(new CategoryCounts(All: 1, Sent: 0, InProgress: 0, Upcoming: 1, Introductory: 2, Recurring: 0), all.Counts);
        Assert.True(all.ShowIntroductory);

        var intros = await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(Category: CampaignCategory.Introductory));
        Assert.Equal([intro.ChatId, intro.SmsId], intros.Items.Select(r => r.CampaignId));
        var chat = intros.Items[0];
        Assert.Equal((3, 2, Monday.AddDays(2), true), (chat.Sent, chat.Responded, chat.LastSent, chat.IsIntroductory));
        Assert.Equal(2.0 / 3, chat.Engagement);
        Assert.Null(intros.Items[1].Engagement);

        // A Last Sent filter hides the introductory section, whatever the dates.
        var dated = await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(Category: CampaignCategory.Introductory), new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31));
        Assert.Empty(dated.Items);
        Assert.Equal(0, dated.Counts.Introductory);
        Assert.False(dated.ShowIntroductory);

        // Search reaches intro rows too, and their count.
        var searched = await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(Search: "unknown number"));
        Assert.Equal((0, 1, false), (searched.Counts.All, searched.Counts.Introductory, searched.ShowInProgress));
    }

    [Fact]
    public async Task Insights_and_export_of_an_intro_row_add_up_all_its_intros_without_a_trigger_time()
    {
        using var dir = new TempDirectory();
        var intro = await StartAsync(dir.Path);
        await using var env = intro.Env;
        var (four, one, three, two) = (intro.Contacts[0], intro.Contacts[1], intro.Contacts[2], intro.Contacts[3]);
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, one, Monday);
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, two, Monday.AddDays(1));
        await intro.ReplyAsync(intro.ChatId, one, new FactResponse(Monday.AddMinutes(5), "q", "no"));
        await intro.ReplyAsync(intro.ChatId, two, new FactResponse(Monday.AddDays(1).AddMinutes(5), OptedOut: true));

        var insights = await env.Client.GetInsightsAsync(Tenant, intro.ChatId);
        Assert.NotNull(insights);
        Assert.Equal((null, null, (Recipients?)null, IntroTrigger.Webchat, ChannelKind.Webchat, true), (insights.Trigger, insights.DurationHours, insights.Recipients, insights.IntroTrigger, insights.Channel, insights.Open));
        Assert.Equal((2, 2, 1, 1.0), (insights.Sent, insights.Responded, insights.OptedOut, insights.Engagement));
        Assert.Equal([new AnswerCount("yes", 0), new AnswerCount("no", 1)], insights.Questions.Single().Answers);

        var export = await env.Client.OpenExportAsync(Tenant, intro.ChatId);
        var rows = new List<string[]>();
        await foreach (var row in export!.ReadRowsAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        Assert.Equal(["contact_id", "first_name", "last_name", "address", "channel", "status", "failure_reason", "sent_at", "delivered_at", "responded", "first_response_at", "opted_out", "paused", "q_q"], export.Columns);
        Assert.Equal([("Ada", "webchat", "no", "false"), ("Bea", "webchat", string.Empty, "true")], rows.Select(r => (r[1], r[4], r[13], r[11])).OrderBy(r => r.Item1, StringComparer.Ordinal));

        // Once the tenant stops using the script for web chat, its row is no longer open; an unknown intro is not found.
        await env.Client.PutTenantAsync(Tenant, new TenantSettings("Intro U", "America/New_York", OpenBot: true, IntroScripts: new IntroScripts(null, intro.Sms.ScriptId)));
        Assert.False((await env.Client.GetInsightsAsync(Tenant, intro.ChatId))!.Open);
        Assert.Null(await env.Client.GetInsightsAsync(Tenant, IntroductoryCampaign.Id(IntroTrigger.Webchat, "scr_none")));
    }

    [Fact]
    public async Task The_aggregate_reports_count_intros_and_replies_per_trigger_over_whole_days_in_the_tenant_zone()
    {
        using var dir = new TempDirectory();
        var intro = await StartAsync(dir.Path);
        await using var env = intro.Env;
        var (four, one, three, two) = (intro.Contacts[0], intro.Contacts[1], intro.Contacts[2], intro.Contacts[3]);

        // Monday 09:00, Monday 23:30 (Tuesday in UTC), Wednesday 09:00 in New York.
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, one, Monday);
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, two, Monday.AddHours(14.5));
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, three, Monday.AddDays(2));
        await intro.IntroduceAsync(intro.Sms, IntroTrigger.OpenBotSms, four, Monday.AddDays(2));
        await intro.ReplyAsync(intro.ChatId, two, new FactResponse(Monday.AddDays(3), "q", "yes"));
        await intro.ReplyAsync(intro.SmsId, four, new FactResponse(Monday.AddDays(2), Paused: true));

        var monday = await env.Client.GetIntroductoryReportsAsync(Tenant, new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 2), TestContext.Current.CancellationToken);
        Assert.Equal(
            [new IntroductoryReport(IntroTrigger.Webchat, intro.Chat.ScriptId, 2, 1, 0.5), new IntroductoryReport(IntroTrigger.OpenBotSms, intro.Sms.ScriptId, 0, 0, null)],
            monday);

        var everything = await env.Client.GetIntroductoryReportsAsync(Tenant, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(
            [new IntroductoryReport(IntroTrigger.Webchat, intro.Chat.ScriptId, 3, 1, 1.0 / 3), new IntroductoryReport(IntroTrigger.OpenBotSms, intro.Sms.ScriptId, 1, 1, null)],
            everything);

        var fromWednesday = await env.Client.GetIntroductoryReportsAsync(Tenant, new DateOnly(2026, 3, 4), null, TestContext.Current.CancellationToken);
        Assert.Equal([1, 1], fromWednesday.Select(r => r.Introduced));

        var backwards = await Assert.ThrowsAsync<Validation.CampaignsValidationException>(() =>
            env.Client.GetIntroductoryReportsAsync(Tenant, new DateOnly(2026, 3, 4), new DateOnly(2026, 3, 2), TestContext.Current.CancellationToken));
        Assert.Equal(["to"], backwards.Errors.Keys);
    }

    [Fact]
    public async Task Intro_rows_rebuild_from_their_facts_even_from_nothing()
    {
        using var dir = new TempDirectory();
        var intro = await StartAsync(dir.Path);
        await using var env = intro.Env;
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, intro.Contacts[1], Monday);
        await intro.IntroduceAsync(intro.Chat, IntroTrigger.Webchat, intro.Contacts[2], Monday.AddHours(3));
        await intro.ReplyAsync(intro.ChatId, intro.Contacts[2], new FactResponse(Monday.AddHours(4), "q", "yes"));
        var live = await env.Client.ListAllCampaignRowsAsync(Tenant);

        Assert.Equal(new IndexRebuild(1, 0), await env.Client.RebuildCampaignListAsync(Tenant, TestContext.Current.CancellationToken));
        Assert.Equal(live, await env.Client.ListAllCampaignRowsAsync(Tenant));

        // The list loses every row; the intro row comes back from its facts and its script.
        TenantContext.Set(Tenant);
        Assert.Equal(new IndexRebuild(0, 1), await env.Cluster.Client.GetGrain<ITenantIndexGrain>(Tenant.Value).Rebuild([]));
        Assert.Empty(await env.Client.ListAllCampaignRowsAsync(Tenant));
        Assert.Equal(new IndexRebuild(1, 1), await env.Client.RebuildCampaignListAsync(Tenant, TestContext.Current.CancellationToken));
        Assert.Equal(live, await env.Client.ListAllCampaignRowsAsync(Tenant));
    }
}
