using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Conversations;
using Campaigns.Grains;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Campaigns.Tests.Support;
using Campaigns.Validation;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

/// <summary>Conversations on the in-process cluster with a fake clock: expiry, reminders, pauses, intros.</summary>
public sealed class ConversationGrainTests
{
    private static readonly TenantId Tenant = TenantId.Parse("conv");

    private const string Ada = "+12015550101";
    private const string Grace = "+12015550102";
    private const string Alan = "+12015550103";
    private const string Katherine = "+12015550104";

    private const string FourContactsCsv = CampaignsTestCluster.ThreeContactsCsv + "\n2015550104,Katherine,Johnson,Physics";

    /// <summary>Three questions with branching: yes goes to the day, no to the reason; both end with thanks.</summary>
    internal static readonly StepDraft[] Orientation =
    [
        new("coming", "yesNo", "Hi {{firstName}}, are you coming to orientation?", Next: new Dictionary<string, string> { ["yes"] = "day", ["no"] = "why" }),
        new("day", "multipleChoice", "Great! Which day?", ["Monday", "Tuesday"], new Dictionary<string, string> { ["*"] = "bye" }),
        new("why", "openText", "What is stopping you?", Next: new Dictionary<string, string> { ["*"] = "bye" }),
        new("bye", "message", "Thanks, {{firstName}}!"),
    ];

    private static async Task<(CampaignsTestCluster Env, FakeTimeProvider Clock, string ImportId, Script Script)> StartAsync(TempDirectory dir, string csv = FourContactsCsv)
    {
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        var env = await CampaignsTestCluster.StartAsync(dir.Path, clock);
        var (importId, script) = await env.SeedAsync(Tenant, csv, Orientation);
        return (env, clock, importId, script);
    }

    private static async Task<string> SendAsync(CampaignsTestCluster env, string importId, string scriptId, int durationHours = 72, int? reminderAfterHours = null)
    {
        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, scriptId, CampaignSchedule.Now) with
        {
            DurationHours = durationHours,
            ReminderAfterHours = reminderAfterHours,
        });

        // The campaign grain finishes its (only) page before it answers, so the facts are written after this read.
        Assert.Equal(CampaignStatus.Sent, (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status);
        return campaignId;
    }

    private static Task<InboundResult> Reply(CampaignsTestCluster env, string from, string text) => env.Client.ReceiveAsync(Tenant, ChannelKind.Sms, from, text);

    private static async Task<Dictionary<string, DeliveryFact>> FactsAsync(CampaignsTestCluster env, string campaignId, TenantId? tenant = null)
    {
        var facts = new Dictionary<string, DeliveryFact>(StringComparer.Ordinal);
        await foreach (var fact in env.Store.ReadFactsAsync(tenant ?? Tenant, campaignId))
        {
            facts[fact.Address!] = fact;
        }

        return facts;
    }

    private static IEnumerable<string> TextsTo(CampaignsTestCluster env, string address) => env.Outbox.For(Tenant, address).Select(m => m.Text);

    [Fact]
    public async Task Replies_after_the_duration_no_longer_belong_to_the_campaign()
    {
        using var dir = new TempDirectory();
        var (env, clock, importId, script) = await StartAsync(dir);
        await using var _ = env;
        var campaignId = await SendAsync(env, importId, script.ScriptId, durationHours: 1);

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(new InboundResult(InboundOutcome.Answered, (await FactsAsync(env, campaignId))[Ada].ContactId, campaignId, "coming", "yes"), await Reply(env, Ada, "Yes!"));

        clock.Advance(TimeSpan.FromMinutes(1));
        var late = await Reply(env, Ada, "2");
        Assert.Equal(InboundOutcome.NotRouted, late.Outcome);
        Assert.Null(late.CampaignId);
        Assert.Equal(InboundOutcome.NotRouted, (await Reply(env, Grace, "yes")).Outcome);

        var facts = await FactsAsync(env, campaignId);
        Assert.Equal(new Dictionary<string, string> { ["coming"] = "yes" }, facts[Ada].Answers);
        Assert.Equal(CampaignsTestCluster.Epoch.AddMinutes(59), facts[Ada].FirstResponseAt);
        Assert.All(new[] { Grace, Alan, Katherine }, a => Assert.False(facts[a].Responded));
        Assert.Equal(["Hi Ada, are you coming to orientation?", "Great! Which day?\n1) Monday\n2) Tuesday"], TextsTo(env, Ada));
        Assert.Equal(["Hi Grace, are you coming to orientation?"], TextsTo(env, Grace));

        var row = (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row;
        Assert.Equal((4, 1, 0.25), (row.Sent, row.Responded, row.Engagement));
        Assert.Empty((await env.Client.GetConversationAsync(Tenant, facts[Ada].ContactId)).OpenQuestions);
    }

    [Fact]
    public async Task A_reminder_due_at_night_waits_for_the_contacts_sending_window()
    {
        using var dir = new TempDirectory();
        var (env, clock, importId, script) = await StartAsync(dir);
        await using var _ = env;

        // Sent at 10:00 in New York (the numbers' zone); the reminder falls due at 22:00, after the 21:00 close.
        var campaignId = await SendAsync(env, importId, script.ScriptId, durationHours: 72, reminderAfterHours: 12);
        var before = env.Outbox.Messages.Count;

        // Each hour's wakes (the reminder at 22:00, held; the sweeps) run to the end before the clock moves on.
        clock.Advance(TimeSpan.FromHours(12));
        await env.SettledAsync();
        for (var i = 0; i < 9; i++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            await env.SettledAsync();
            Assert.Equal(before, env.Outbox.Messages.Count);
        }

        // 08:00 New York the next morning: the window opens and each unanswered question is asked again, once.
        clock.Advance(TimeSpan.FromHours(1));
        await env.SettledAsync();
        await env.Outbox.WaitAsync(m => m.Count >= before + 4, Within.Seconds(60));
        Assert.Equal(["Hi Ada, are you coming to orientation?", "Hi Ada, are you coming to orientation?"], TextsTo(env, Ada));
        Assert.Equal(CampaignsTestCluster.Epoch.AddHours(22), env.Outbox.For(Tenant, Ada)[^1].At);
        clock.Advance(TimeSpan.FromHours(6));
        await env.SettledAsync();
        Assert.Equal(before + 4, env.Outbox.Messages.Count);
        Assert.Equal(CampaignStatus.Sent, (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status);
    }

    [Fact]
    public async Task A_reminder_asks_each_unanswered_question_again_once()
    {
        using var dir = new TempDirectory();
        var (env, clock, importId, script) = await StartAsync(dir);
        await using var _ = env;
        var campaignId = await SendAsync(env, importId, script.ScriptId, durationHours: 72, reminderAfterHours: 24);
        var ids = (await FactsAsync(env, campaignId)).ToDictionary(f => f.Key, f => f.Value.ContactId);

        Assert.Equal(InboundOutcome.Answered, (await Reply(env, Ada, "yes")).Outcome);          // now on "day"
        Assert.Equal(InboundOutcome.Paused, (await Reply(env, Alan, "#pause")).Outcome);       // paused: no reminder
        Assert.Equal(InboundOutcome.Answered, (await Reply(env, Katherine, "no")).Outcome);
        Assert.Equal(InboundOutcome.Answered, (await Reply(env, Katherine, "Work")).Outcome);  // script ended
        var before = env.Outbox.Messages.Count;

        clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.Equal(before, env.Outbox.Messages.Count);
        clock.Advance(TimeSpan.FromSeconds(1));
        await env.Outbox.WaitAsync(m => m.Count >= before + 2, Within.Seconds(20));

        Assert.Equal(["Hi Ada, are you coming to orientation?", "Great! Which day?\n1) Monday\n2) Tuesday", "Great! Which day?\n1) Monday\n2) Tuesday"], TextsTo(env, Ada));
        Assert.Equal(["Hi Grace, are you coming to orientation?", "Hi Grace, are you coming to orientation?"], TextsTo(env, Grace));
        Assert.Equal(["Hi Alan, are you coming to orientation?", ConversationTexts.Paused(PauseLength.Unspecified)], TextsTo(env, Alan));
        Assert.Equal(["Hi Katherine, are you coming to orientation?", "What is stopping you?", "Thanks, Katherine!"], TextsTo(env, Katherine));

        // More time and sweeps send nothing more: the reminder went once.
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromHours(6));
        }

        Assert.Equal(CampaignStatus.Sent, (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status);
        var grace = await env.Client.GetConversationAsync(Tenant, ids[Grace]);
        Assert.Equal([new OpenQuestion(campaignId, "coming", CampaignsTestCluster.Epoch.AddHours(72), Reminded: true)], grace.OpenQuestions);
        Assert.Equal("day", Assert.Single((await env.Client.GetConversationAsync(Tenant, ids[Ada])).OpenQuestions).StepId);
        Assert.Empty((await env.Client.GetConversationAsync(Tenant, ids[Katherine])).OpenQuestions);
        Assert.Equal(before + 2, env.Outbox.Messages.Count);
        Assert.DoesNotContain(Tenant.Key(campaignId), await env.ReadDueKeysAsync());

        // Reminding is not a response: engagement stays with those who answered or paused.
        var row = (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row;
        Assert.Equal((4, 3), (row.Sent, row.Responded));
    }

    [Fact]
    public async Task A_pause_ends_by_itself_after_two_weeks_and_an_indefinite_one_waits_for_start()
    {
        using var dir = new TempDirectory();
        var (env, clock, importId, script) = await StartAsync(dir);
        await using var _ = env;
        var campaignId = await SendAsync(env, importId, script.ScriptId);
        var ids = (await FactsAsync(env, campaignId)).ToDictionary(f => f.Key, f => f.Value.ContactId);

        Assert.Equal(new InboundResult(InboundOutcome.Paused, ids[Ada], campaignId), await Reply(env, Ada, "#pause"));
        Assert.Equal("Messages are paused for two weeks. Reply FOREVER to pause them until you text START.", TextsTo(env, Ada).Last());
        Assert.Equal(new InboundResult(InboundOutcome.Paused, ids[Grace], campaignId), await Reply(env, Grace, "#pause"));
        Assert.Equal(new InboundResult(InboundOutcome.Paused, ids[Grace], campaignId), await Reply(env, Grace, "forever"));
        Assert.Equal("Messages are paused until you text START.", TextsTo(env, Grace).Last());

        var resumeAt = CampaignsTestCluster.Epoch.AddDays(14);
        Assert.Equal(new Dictionary<ChannelKind, DateTimeOffset> { [ChannelKind.Sms] = resumeAt }, (await env.Client.GetConversationAsync(Tenant, ids[Ada])).PausedUntil);
        Assert.Empty((await env.Client.GetConversationAsync(Tenant, ids[Grace])).PausedUntil);
        Assert.Contains(Tenant.Key(ConversationGrain.DuePrefix + ids[Ada]), await env.ReadDueKeysAsync());
        Assert.DoesNotContain(Tenant.Key(ConversationGrain.DuePrefix + ids[Grace]), await env.ReadDueKeysAsync());

        // Pausing during the campaign is a response to it.
        var facts = await FactsAsync(env, campaignId);
        Assert.True(facts[Ada] is { Paused: true, OptedOut: false, InvalidResponses: 0, Answers: null, Responded: true });
        Assert.True(facts[Grace] is { Paused: true, Responded: true });
        Assert.Equal(2, (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Responded);

        clock.Advance(TimeSpan.FromDays(14) - TimeSpan.FromSeconds(1));
        await env.Client.GetConversationAsync(Tenant, ids[Ada]);
        Assert.Equal(ChannelStatus.Paused, (await env.Client.GetContactAsync(Tenant, ids[Ada]))!.StatusOn(ChannelKind.Sms, env.Clock.GetUtcNow()));

        clock.Advance(TimeSpan.FromSeconds(1));

        // A read through the conversation orders after the wake the timer started.
        Assert.Empty((await env.Client.GetConversationAsync(Tenant, ids[Ada])).PausedUntil);
        Assert.Equal(ChannelStatus.OptedIn, (await env.Client.GetContactAsync(Tenant, ids[Ada]))!.StatusOn(ChannelKind.Sms, env.Clock.GetUtcNow()));

        // The resume is written back, not only read from the ended pause.
        Assert.Equal(ChannelStatus.OptedIn, (await env.Client.GetContactAsync(Tenant, ids[Ada]))!.Channels[ChannelKind.Sms]);
        Assert.Equal(ChannelStatus.Paused, (await env.Client.GetContactAsync(Tenant, ids[Grace]))!.StatusOn(ChannelKind.Sms, env.Clock.GetUtcNow()));
        Assert.DoesNotContain(Tenant.Key(ConversationGrain.DuePrefix + ids[Ada]), await env.ReadDueKeysAsync());

        // A new campaign reaches Ada again and skips Grace, who is still paused.
        var second = await SendAsync(env, importId, script.ScriptId);
        var secondFacts = await FactsAsync(env, second);
        Assert.Equal(DeliveryStatus.Sent, secondFacts[Ada].Status);
        Assert.Equal((DeliveryStatus.Skipped, "paused"), (secondFacts[Grace].Status, secondFacts[Grace].Reason));

        Assert.Equal(InboundOutcome.OptedIn, (await Reply(env, Grace, "START")).Outcome);
        Assert.Equal(ChannelStatus.OptedIn, (await env.Client.GetContactAsync(Tenant, ids[Grace]))!.StatusOn(ChannelKind.Sms, env.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task An_unknown_number_on_an_open_bot_tenant_becomes_a_contact_and_gets_the_intro_once()
    {
        using var dir = new TempDirectory();
        var (env, _, _, script) = await StartAsync(dir);
        await using var __ = env;
        await env.Client.PutTenantAsync(Tenant, new TenantSettings("Conv University", "Etc/UTC", OpenBot: true, IntroScripts: new IntroScripts(OpenBotSms: script.ScriptId)));
        var introId = IntroductoryCampaign.Id(IntroTrigger.OpenBotSms, script.ScriptId);
        Assert.Equal($"intro-openBotSms-{script.ScriptId}", introId);

        var first = await Reply(env, "(201) 555-0199", "hello?");
        Assert.Equal((InboundOutcome.Introduced, introId), (first.Outcome, first.CampaignId));
        var contact = await env.Client.GetContactAsync(Tenant, first.ContactId!);
        Assert.Equal(("+12015550199", "", ChannelStatus.OptedIn), (contact!.Phone, contact.FirstName, contact.StatusOn(ChannelKind.Sms, env.Clock.GetUtcNow())));
        Assert.Equal(["Hi , are you coming to orientation?"], TextsTo(env, "+12015550199"));

        // The reply to the intro is recorded under the intro's id; the same number is not introduced again.
        Assert.Equal(new InboundResult(InboundOutcome.Answered, first.ContactId, introId, "coming", "no"), await Reply(env, "+12015550199", "nope"));
        Assert.Equal(new InboundResult(InboundOutcome.Answered, first.ContactId, introId, "why", "Too far"), await Reply(env, "+12015550199", "Too far"));
        Assert.Equal(InboundOutcome.Introduced, (await Reply(env, "+12015550198", "hi")).Outcome);
        Assert.Equal(InboundOutcome.OptedOut, (await Reply(env, "+12015550197", "STOP")).Outcome);
        Assert.Equal(InboundOutcome.Ignored, (await Reply(env, "+12015550197", "hello")).Outcome);

        // A keyword as the first message is answered as a keyword; the intro follows the next message.
        Assert.Equal(InboundOutcome.Help, (await Reply(env, "+12015550196", "HELP")).Outcome);
        Assert.Equal(InboundOutcome.Introduced, (await Reply(env, "+12015550196", "ok")).Outcome);
        Assert.Equal(InboundOutcome.InvalidAnswer, (await Reply(env, "+12015550196", "hmm")).Outcome);
        Assert.Equal(
            [
                "Conv University: reply STOP to unsubscribe or #pause to pause messages. Msg & data rates may apply.",
                "Hi , are you coming to orientation?",
                "Sorry, I didn't get that. Please reply YES or NO.\n\nHi , are you coming to orientation?",
            ],
            TextsTo(env, "+12015550196"));
        Assert.Equal(["Conv University: you are unsubscribed and will get no more messages. Reply START to resubscribe."], TextsTo(env, "+12015550197"));

        var facts = await FactsAsync(env, introId);
        Assert.Equal(["+12015550196", "+12015550198", "+12015550199"], facts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, facts["+12015550196"].InvalidResponses);
        Assert.Equal(new Dictionary<string, string> { ["coming"] = "no", ["why"] = "Too far" }, facts["+12015550199"].Answers);
        Assert.False(facts["+12015550198"].Responded);

        var intro = await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(Category: CampaignCategory.Introductory));
        var row = Assert.Single(intro.Items);
        Assert.Equal((introId, true, 3, 2, ScriptType.Interactive, "Welcome"), (row.CampaignId, row.IsIntroductory, row.Sent, row.Responded, row.Type, row.Name));
        Assert.Equal(CampaignsTestCluster.Epoch, row.LastSent);
        Assert.Equal(0, (await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery())).Total);
    }

    [Fact]
    public async Task A_web_chat_visitor_gets_the_webchat_intro_and_a_closed_bot_ignores_unknown_numbers()
    {
        using var dir = new TempDirectory();
        var (env, _, _, script) = await StartAsync(dir);
        await using var __ = env;
        await env.Client.PutTenantAsync(Tenant, new TenantSettings("Conv University", "Etc/UTC", IntroScripts: new IntroScripts(Webchat: script.ScriptId)));

        var session = await env.Client.StartWebchatSessionAsync(Tenant);
        Assert.True(session.Introduced);
        var introId = $"intro-webchat-{script.ScriptId}";
        var sent = Assert.Single(env.Outbox.For(Tenant, session.SessionId));
        Assert.Equal((introId, ChannelKind.Webchat, "Hi , are you coming to orientation?"), (sent.CampaignId, sent.Channel, sent.Text));
        Assert.Equal(
            new InboundResult(InboundOutcome.Answered, session.ContactId, introId, "coming", "yes"),
            await env.Client.ReceiveAsync(Tenant, ChannelKind.Webchat, session.SessionId, "yes"));
        Assert.Equal("Great! Which day?\n1) Monday\n2) Tuesday", env.Outbox.For(Tenant, session.SessionId)[^1].Text);
        var row = Assert.Single((await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(Category: CampaignCategory.Introductory))).Items);
        Assert.Equal((introId, 1, 1), (row.CampaignId, row.Sent, row.Responded));

        // Closed bot: an unknown number is no contact and gets nothing.
        var unknown = await Reply(env, "+12015550199", "hello");
        Assert.Equal(new InboundResult(InboundOutcome.UnknownSender, null), unknown);
        Assert.Empty(env.Outbox.For(Tenant, "+12015550199"));
        Assert.Null(await env.Store.FindContactByAddressAsync(Tenant, ChannelKind.Sms, "+12015550199"));
    }

    [Fact]
    public async Task A_reply_reaches_only_its_own_tenants_conversation()
    {
        using var dir = new TempDirectory();
        var (env, _, importId, script) = await StartAsync(dir);
        await using var _ = env;
        var other = TenantId.Parse("conv-other");
        await env.SeedAsync(other, CampaignsTestCluster.ThreeContactsCsv, new StepDraft("hello", "message", "Hello"));
        var campaignId = await SendAsync(env, importId, script.ScriptId);
        var adaId = (await FactsAsync(env, campaignId))[Ada].ContactId;

        // The same phone number texting the other tenant is that tenant's contact, with no campaign to answer.
        var elsewhere = await env.Client.ReceiveAsync(other, ChannelKind.Sms, Ada, "yes");
        Assert.Equal(InboundOutcome.NotRouted, elsewhere.Outcome);
        Assert.NotEqual(adaId, elsewhere.ContactId);
        Assert.False((await FactsAsync(env, campaignId))[Ada].Responded);

        // Below the facade, the other tenant cannot reach this tenant's conversation.
        var grain = env.Cluster.Client.GetGrain<IConversationGrain>(Tenant.Key(adaId));
        TenantContext.Set(other);
        await Assert.ThrowsAsync<TenantMismatchException>(() => grain.Receive(ChannelKind.Sms, "yes", null));
        await Assert.ThrowsAsync<TenantMismatchException>(() => grain.Get());
    }

    [Fact]
    public async Task Conversations_and_response_counts_survive_a_restart()
    {
        using var dir = new TempDirectory();
        string campaignId;
        Dictionary<string, string> ids;
        await using (var first = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(CampaignsTestCluster.Epoch)))
        {
            var (importId, script) = await first.SeedAsync(Tenant, FourContactsCsv, Orientation);
            campaignId = await SendAsync(first, importId, script.ScriptId);
            ids = (await FactsAsync(first, campaignId)).ToDictionary(f => f.Key, f => f.Value.ContactId);
            Assert.Equal(InboundOutcome.Answered, (await Reply(first, Ada, "yes")).Outcome);
            Assert.Equal(InboundOutcome.Paused, (await Reply(first, Grace, "#pause")).Outcome);
        }

        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch.AddHours(1));
        await using var second = await CampaignsTestCluster.StartAsync(dir.Path, clock);

        // The campaign counts its responses from the facts when it comes back, and keeps counting.
        Assert.Equal(2, (await second.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Responded);
        Assert.Equal(new InboundResult(InboundOutcome.Answered, ids[Ada], campaignId, "day", "Monday"), await Reply(second, Ada, "1"));
        Assert.Equal(InboundOutcome.Answered, (await Reply(second, Alan, "no")).Outcome);
        var row = Assert.Single((await second.Client.ListCampaignsAsync(Tenant, new CampaignListQuery())).Items);
        Assert.Equal((4, 3, 0.75), (row.Sent, row.Responded, row.Engagement));
        Assert.Equal(new Dictionary<string, string> { ["coming"] = "yes", ["day"] = "Monday" }, (await FactsAsync(second, campaignId))[Ada].Answers);

        // The pause's due time survived too.
        clock.Advance(TimeSpan.FromDays(14));
        await second.SettledAsync();
        Assert.Empty((await second.Client.GetConversationAsync(Tenant, ids[Grace])).PausedUntil);
        Assert.Equal(ChannelStatus.OptedIn, (await second.Client.GetContactAsync(Tenant, ids[Grace]))!.StatusOn(ChannelKind.Sms, second.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task Replies_arriving_together_are_each_counted_once()
    {
        using var dir = new TempDirectory();
        var phones = Enumerable.Range(110, 40).Select(n => $"+1201555{n:0000}").ToList();
        var csv = "phone,first_name,last_name\n" + string.Join("\n", phones.Select((p, i) => $"{p},Student{i},Test"));
        var (env, _, importId, script) = await StartAsync(dir, csv);
        await using var _ = env;
        var campaignId = await SendAsync(env, importId, script.ScriptId);

        // Each contact answers twice (one invalid), and all contacts at once.
        var results = await Task.WhenAll(phones.Select(async (p, i) => new[]
        {
            await Reply(env, p, "hmm"),
            await Reply(env, p, i % 2 == 0 ? "yes" : "no"),
        }));
        Assert.All(results, r => Assert.Equal([InboundOutcome.InvalidAnswer, InboundOutcome.Answered], r.Select(x => x.Outcome)));

        var facts = await FactsAsync(env, campaignId);
        Assert.Equal(40, facts.Count);
        Assert.All(facts.Values, f => Assert.Equal((1, 1), (f.InvalidResponses, f.Answers!.Count)));
        var row = Assert.Single((await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery())).Items);
        Assert.Equal((40, 40, 1.0), (row.Sent, row.Responded, row.Engagement));
    }

    [Fact]
    public async Task Keywords_win_over_answers_and_act_on_the_right_channels()
    {
        using var dir = new TempDirectory();
        var (env, _, importId, script) = await StartAsync(dir);
        await using var _ = env;
        await env.Client.PutTenantAsync(Tenant, new TenantSettings("Conv University", "Etc/UTC", HelpText: "Conv University help: call 555-0100. Reply STOP to stop."));
        var campaignId = await SendAsync(env, importId, script.ScriptId);
        var ids = (await FactsAsync(env, campaignId)).ToDictionary(f => f.Key, f => f.Value.ContactId);

        // HELP is answered with the tenant's text and is not a response; the question stays open.
        Assert.Equal(new InboundResult(InboundOutcome.Help, ids[Ada]), await Reply(env, Ada, "help"));
        Assert.Equal("Conv University help: call 555-0100. Reply STOP to stop.", TextsTo(env, Ada).Last());
        Assert.False((await FactsAsync(env, campaignId))[Ada].Responded);
        Assert.Equal(InboundOutcome.Answered, (await Reply(env, Ada, "yes")).Outcome);

        // STOPALL opts out on every channel; STOP only on the one it came from.
        Assert.Equal(InboundOutcome.OptedOut, (await Reply(env, Grace, "STOPALL")).Outcome);
        var grace = (await env.Client.GetContactAsync(Tenant, ids[Grace]))!;
        Assert.All(Enum.GetValues<ChannelKind>(), c => Assert.Equal(ChannelStatus.OptedOut, grace.StatusOn(c, env.Clock.GetUtcNow())));
        Assert.Equal(InboundOutcome.OptedOut, (await Reply(env, Alan, "cancel")).Outcome);
        var alan = (await env.Client.GetContactAsync(Tenant, ids[Alan]))!;
        Assert.Equal((ChannelStatus.OptedOut, ChannelStatus.OptedIn), (alan.StatusOn(ChannelKind.Sms, env.Clock.GetUtcNow()), alan.StatusOn(ChannelKind.Email, env.Clock.GetUtcNow())));

        // YES after an opt-out opts back in (it cannot answer anything: nothing was asked since).
        Assert.Equal(new InboundResult(InboundOutcome.OptedIn, ids[Alan]), await Reply(env, Alan, "Yes"));
        Assert.Equal(ChannelStatus.OptedIn, (await env.Client.GetContactAsync(Tenant, ids[Alan]))!.StatusOn(ChannelKind.Sms, env.Clock.GetUtcNow()));
        Assert.Equal(
            ["Hi Alan, are you coming to orientation?", ConversationTexts.OptedOut(new TenantSettings("Conv University", "Etc/UTC")), ConversationTexts.OptedIn(new TenantSettings("Conv University", "Etc/UTC"))],
            TextsTo(env, Alan));

        var facts = await FactsAsync(env, campaignId);
        Assert.True(facts[Grace] is { OptedOut: true, Responded: true, Answers: null });
        Assert.True(facts[Alan] is { OptedOut: true, Responded: true });
        Assert.Equal(3, (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Responded);
    }
}
