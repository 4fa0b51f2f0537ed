using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Campaigns.Conversations;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Api;

/// <summary>
/// Conversations end to end through the admin sample: campaigns created over HTTP, contacts
/// played through <c>POST /dev/inbound</c>, figures read from <c>GET /campaigns</c>, and the
/// delivery facts read back from the store.
/// </summary>
public sealed class ConversationApiTests : ApiTestHost
{
    private const string Ada = "+12025550143";
    private const string Grace = "+12025550178";
    private const string Alan = "+12025550121";
    private const string Day = "Great! Which day?\n1) Monday\n2) Tuesday";

    public ConversationApiTests()
        : base(new AdminAppFactory { Clock = new FakeTimeProvider(CampaignsTestCluster.Epoch) })
    {
    }

    private FakeTimeProvider Clock => App.Clock!;

    /// <summary>A tenant with three contacts and the three-question orientation script; returns the import and script ids.</summary>
    private async Task<(string ImportId, string ScriptId)> SeedAsync(string tenant)
    {
        await CreateTenant(tenant);
        var importId = await Import(tenant, ThreeContacts);
        var script = await Json(await Http.PostAsJsonAsync($"/api/v1/tenants/{tenant}/scripts", new
        {
            name = "Orientation",
            description = "Who is coming, and when",
            steps = new object[]
            {
                new { id = "coming", kind = "yesNo", text = "Hi {{firstName}}, are you coming to orientation?", next = new Dictionary<string, string> { ["yes"] = "day", ["no"] = "why" } },
                new { id = "day", kind = "multipleChoice", text = "Great! Which day?", choices = new[] { "Monday", "Tuesday" }, next = new Dictionary<string, string> { ["*"] = "bye" } },
                new { id = "why", kind = "openText", text = "What is stopping you?", next = new Dictionary<string, string> { ["*"] = "bye" } },
                new { id = "bye", kind = "message", text = "Thanks, {{firstName}}!" },
            },
        }), HttpStatusCode.Created);
        Assert.Equal("interactive", script.GetProperty("type").GetString());
        return (importId, script.GetProperty("scriptId").GetString()!);
    }

    /// <summary>Creates a campaign sent now and reads it back, which orders after its only page: every fact is written.</summary>
    private async Task<string> SendAsync(string tenant, string name, string scriptId, string importId, int? durationHours = null, int? reminderAfterHours = null)
    {
        var created = await Json(await Http.PostAsJsonAsync($"/api/v1/tenants/{tenant}/campaigns", new
        {
            name,
            description = "",
            scriptId,
            channel = "sms",
            recipients = new { importId },
            schedule = new { kind = "now" },
            durationHours,
            reminderAfterHours,
        }), HttpStatusCode.Created);
        var campaignId = created.GetProperty("campaignId").GetString()!;
        var detail = await Json(await Http.GetAsync($"/api/v1/tenants/{tenant}/campaigns/{campaignId}"), HttpStatusCode.OK);
        Assert.Equal("sent", detail.GetProperty("status").GetString());
        return campaignId;
    }

    private async Task<JsonElement> Inbound(string tenant, string from, string text, string channel = "sms") =>
        await Json(await Http.PostAsJsonAsync($"/api/v1/tenants/{tenant}/dev/inbound", new { channel, from, text }), HttpStatusCode.OK);

    private static string Outcome(JsonElement inbound) => inbound.GetProperty("outcome").GetString()!;

    private async Task<List<string>> Texts(string tenant, string address) =>
        (await Json(await Http.GetAsync($"/api/v1/tenants/{tenant}/dev/outbox?address={Uri.EscapeDataString(address)}"), HttpStatusCode.OK))
        .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("text").GetString()!).ToList();

    private async Task<JsonElement> Row(string tenant, string campaignId, string category = "all") =>
        (await Json(await Http.GetAsync($"/api/v1/tenants/{tenant}/campaigns?category={category}"), HttpStatusCode.OK))
        .GetProperty("items").EnumerateArray().Single(r => r.GetProperty("campaignId").GetString() == campaignId);

    private async Task<string> SmsStatus(string tenant, string contactId) =>
        (await Json(await Http.GetAsync($"/api/v1/tenants/{tenant}/contacts/{contactId}"), HttpStatusCode.OK)).GetProperty("channels").GetProperty("sms").GetString()!;

    private async Task<Dictionary<string, DeliveryFact>> Facts(string tenant, string campaignId)
    {
        var facts = new Dictionary<string, DeliveryFact>(StringComparer.Ordinal);
        await foreach (var fact in App.Services.GetRequiredService<ICampaignStore>().ReadFactsAsync(TenantId.Parse(tenant), campaignId))
        {
            facts[fact.Address!] = fact;
        }

        return facts;
    }

    [Fact]
    public async Task Three_sent_one_valid_one_invalid_one_silent_is_engagement_two_thirds()
    {
        var (importId, scriptId) = await SeedAsync("conv-a");
        var campaignId = await SendAsync("conv-a", "Orientation", scriptId, importId);
        Clock.Advance(TimeSpan.FromMinutes(5));

        var yes = await Inbound("conv-a", "(202) 555-0143", "Yes!");
        Assert.Equal(("answered", campaignId, "coming", "yes"), (Outcome(yes), yes.GetProperty("campaignId").GetString(), yes.GetProperty("stepId").GetString(), yes.GetProperty("answer").GetString()));
        var two = await Inbound("conv-a", Ada, "2");
        Assert.Equal(("answered", "day", "Tuesday"), (Outcome(two), two.GetProperty("stepId").GetString(), two.GetProperty("answer").GetString()));
        Assert.Equal(["Hi Ada, are you coming to orientation?", Day, "Thanks, Ada!"], await Texts("conv-a", Ada));

        Assert.Equal("invalidAnswer", Outcome(await Inbound("conv-a", Grace, "maybe")));
        Assert.Equal("invalidAnswer", Outcome(await Inbound("conv-a", Grace, "perhaps later")));
        Assert.Equal(
            ["Hi Grace, are you coming to orientation?", "Sorry, I didn't get that. Please reply YES or NO.\n\nHi Grace, are you coming to orientation?"],
            await Texts("conv-a", Grace));

        var facts = await Facts("conv-a", campaignId);
        Assert.Equal(new Dictionary<string, string> { ["coming"] = "yes", ["day"] = "Tuesday" }, facts[Ada].Answers);
        Assert.Equal((CampaignsTestCluster.Epoch.AddMinutes(5), 0, false, false), (facts[Ada].FirstResponseAt, facts[Ada].InvalidResponses, facts[Ada].OptedOut, facts[Ada].Paused));
        Assert.Equal((CampaignsTestCluster.Epoch.AddMinutes(5), 2), (facts[Grace].FirstResponseAt, facts[Grace].InvalidResponses));
        Assert.Null(facts[Grace].Answers);
        Assert.False(facts[Alan].Responded);

        var row = await Row("conv-a", campaignId);
        Assert.Equal(3, row.GetProperty("sent").GetInt32());
        Assert.Equal(2.0 / 3, row.GetProperty("engagement").GetDouble(), 10);
    }

    [Fact]
    public async Task Stop_mid_way_confirms_once_and_nothing_more_is_sent_until_start()
    {
        var (importId, scriptId) = await SeedAsync("conv-b");
        var campaignId = await SendAsync("conv-b", "Orientation", scriptId, importId);

        Assert.Equal("answered", Outcome(await Inbound("conv-b", Ada, "yep")));
        var stop = await Inbound("conv-b", Ada, "Stop.");
        Assert.Equal(("optedOut", campaignId), (Outcome(stop), stop.GetProperty("campaignId").GetString()));
        var contactId = stop.GetProperty("contactId").GetString()!;
        Assert.Equal("optedOut", await SmsStatus("conv-b", contactId));

        // Keywords win over answers, and after the opt-out nothing is recorded or sent: not an answer, not a second confirmation, not help.
        Assert.Equal("ignored", Outcome(await Inbound("conv-b", Ada, "Monday")));
        Assert.Equal("ignored", Outcome(await Inbound("conv-b", Ada, "STOP")));
        Assert.Equal("ignored", Outcome(await Inbound("conv-b", Ada, "HELP")));
        Assert.Equal(
            ["Hi Ada, are you coming to orientation?", Day, "Uni conv-b: you are unsubscribed and will get no more messages. Reply START to resubscribe."],
            await Texts("conv-b", Ada));

        var facts = await Facts("conv-b", campaignId);
        Assert.True(facts[Ada] is { OptedOut: true, Paused: false, InvalidResponses: 0, Responded: true });
        Assert.Equal(new Dictionary<string, string> { ["coming"] = "yes" }, facts[Ada].Answers);
        Assert.Equal(1.0 / 3, (await Row("conv-b", campaignId)).GetProperty("engagement").GetDouble(), 10);

        // A later campaign skips her.
        var second = await SendAsync("conv-b", "Orientation again", scriptId, importId);
        Assert.Equal((DeliveryStatus.Skipped, "opted out"), ((await Facts("conv-b", second))[Ada].Status, (await Facts("conv-b", second))[Ada].Reason));
        Assert.Equal(3, (await Texts("conv-b", Ada)).Count);

        var start = await Inbound("conv-b", Ada, "START");
        Assert.Equal("optedIn", Outcome(start));
        Assert.Equal("optedIn", await SmsStatus("conv-b", contactId));
        Assert.Equal("Uni conv-b: you are subscribed again. Reply HELP for help, STOP to unsubscribe.", (await Texts("conv-b", Ada))[^1]);
    }

    [Fact]
    public async Task Pause_during_a_campaign_is_a_response_and_ends_after_two_weeks()
    {
        var (importId, scriptId) = await SeedAsync("conv-c");
        var campaignId = await SendAsync("conv-c", "Orientation", scriptId, importId);

        var pause = await Inbound("conv-c", Grace, "#PAUSE 2 weeks");
        Assert.Equal(("paused", campaignId), (Outcome(pause), pause.GetProperty("campaignId").GetString()));
        var contactId = pause.GetProperty("contactId").GetString()!;
        Assert.Equal("paused", await SmsStatus("conv-c", contactId));
        Assert.Equal("Messages are paused for two weeks. Text START to resume sooner.", (await Texts("conv-c", Grace))[^1]);
        Assert.True((await Facts("conv-c", campaignId))[Grace] is { Paused: true, OptedOut: false, Answers: null, Responded: true });
        Assert.Equal(1.0 / 3, (await Row("conv-c", campaignId)).GetProperty("engagement").GetDouble(), 10);

        Clock.Advance(TimeSpan.FromDays(14));

        // The resume is further out than the scheduler arms timers for: the sweep finds it in the store.
        // Sweeping here waits for that wake, so the read below cannot overtake it.
        await App.Services.GetRequiredService<global::Campaigns.Scheduling.DueWorkScheduler>().SweepAsync();
        Assert.Empty((await App.Campaigns.GetConversationAsync(TenantId.Parse("conv-c"), contactId)).PausedUntil);
        Assert.Equal("optedIn", await SmsStatus("conv-c", contactId));
    }

    [Fact]
    public async Task A_reply_after_the_campaign_expired_is_not_recorded()
    {
        var (importId, scriptId) = await SeedAsync("conv-d");
        var campaignId = await SendAsync("conv-d", "Quick poll", scriptId, importId, durationHours: 1);
        var detail = await Json(await Http.GetAsync($"/api/v1/tenants/conv-d/campaigns/{campaignId}"), HttpStatusCode.OK);
        Assert.Equal(1, detail.GetProperty("durationHours").GetInt32());

        Clock.Advance(TimeSpan.FromHours(1));
        var late = await Inbound("conv-d", Ada, "yes");
        Assert.Equal("notRouted", Outcome(late));
        Assert.Equal(JsonValueKind.Null, late.GetProperty("campaignId").ValueKind);

        Assert.All((await Facts("conv-d", campaignId)).Values, f => Assert.False(f.Responded));
        Assert.Equal(["Hi Ada, are you coming to orientation?"], await Texts("conv-d", Ada));
        var row = await Row("conv-d", campaignId);
        Assert.Equal((3, 0.0), (row.GetProperty("sent").GetInt32(), row.GetProperty("engagement").GetDouble()));
    }

    [Fact]
    public async Task With_two_campaigns_open_a_reply_goes_to_the_latest_and_then_to_the_one_still_open()
    {
        var (importId, orientation) = await SeedAsync("conv-e");
        var card = await Script("conv-e", "Card", new { id = "card", kind = "yesNo", text = "Did you get your ID card?" });
        var nudge = await Script("conv-e", "Card", new { id = "note", kind = "message", text = "The library opens at 8." });
        var first = await SendAsync("conv-e", "Orientation", orientation, importId, durationHours: 72);
        Clock.Advance(TimeSpan.FromHours(1));
        var second = await SendAsync("conv-e", "ID card", card, importId, durationHours: 2);
        Clock.Advance(TimeSpan.FromMinutes(30));
        await SendAsync("conv-e", "Library", nudge, importId);

        // The latest interactive campaign takes the reply; the nudge after it takes none.
        var toCard = await Inbound("conv-e", Ada, "yes");
        Assert.Equal(("answered", second, "card", "yes"), (Outcome(toCard), toCard.GetProperty("campaignId").GetString(), toCard.GetProperty("stepId").GetString(), toCard.GetProperty("answer").GetString()));
        Assert.Equal("notRouted", Outcome(await Inbound("conv-e", Ada, "yes")));

        // Once the card campaign expires, replies go back to orientation, still open.
        Clock.Advance(TimeSpan.FromHours(2));
        var toOrientation = await Inbound("conv-e", Ada, "No");
        Assert.Equal(("answered", first, "coming", "no"), (Outcome(toOrientation), toOrientation.GetProperty("campaignId").GetString(), toOrientation.GetProperty("stepId").GetString(), toOrientation.GetProperty("answer").GetString()));
        Assert.Equal("answered", Outcome(await Inbound("conv-e", Ada, "My shift at work")));
        Assert.Equal(
            ["Hi Ada, are you coming to orientation?", "Did you get your ID card?", "The library opens at 8.", "What is stopping you?", "Thanks, Ada!"],
            await Texts("conv-e", Ada));

        Assert.Equal(new Dictionary<string, string> { ["coming"] = "no", ["why"] = "My shift at work" }, (await Facts("conv-e", first))[Ada].Answers);
        Assert.Equal(new Dictionary<string, string> { ["card"] = "yes" }, (await Facts("conv-e", second))[Ada].Answers);
        Assert.Equal(1.0 / 3, (await Row("conv-e", first)).GetProperty("engagement").GetDouble(), 10);
        Assert.Equal(1.0 / 3, (await Row("conv-e", second)).GetProperty("engagement").GetDouble(), 10);
    }

    [Fact]
    public async Task Intro_scripts_greet_web_chat_visitors_and_unknown_numbers_and_have_introductory_rows()
    {
        var (_, scriptId) = await SeedAsync("conv-f");
        await Json(await Http.PutAsJsonAsync("/api/v1/tenants/conv-f", new
        {
            displayName = "Uni conv-f",
            timeZone = "America/New_York",
            openBot = true,
            introScripts = new { webchat = scriptId, openBotSms = scriptId },
        }), HttpStatusCode.OK);

        var session = await Json(await Http.PostAsync("/api/v1/tenants/conv-f/dev/webchat/sessions", null), HttpStatusCode.Created);
        var sessionId = session.GetProperty("sessionId").GetString()!;
        Assert.Equal(["Hi , are you coming to orientation?"], await Texts("conv-f", sessionId));
        Assert.Equal("answered", Outcome(await Inbound("conv-f", sessionId, "sure", channel: "webchat")));
        Assert.Equal(Day, (await Texts("conv-f", sessionId))[^1]);

        var unknown = await Inbound("conv-f", "+12025550199", "hi there");
        Assert.Equal(("introduced", $"intro-openBotSms-{scriptId}"), (Outcome(unknown), unknown.GetProperty("campaignId").GetString()));
        Assert.Equal(["Hi , are you coming to orientation?"], await Texts("conv-f", "+12025550199"));

        var list = await Json(await Http.GetAsync("/api/v1/tenants/conv-f/campaigns?category=introductory"), HttpStatusCode.OK);
        Assert.True(list.GetProperty("showIntroductory").GetBoolean());
        var rows = list.GetProperty("items").EnumerateArray().ToDictionary(r => r.GetProperty("campaignId").GetString()!, r => (r.GetProperty("sent").GetInt32(), r.GetProperty("engagement").GetDouble()));
        Assert.Equal(new Dictionary<string, (int, double)> { [$"intro-webchat-{scriptId}"] = (1, 1.0), [$"intro-openBotSms-{scriptId}"] = (1, 0.0) }, rows);
        Assert.Equal(0, (await Json(await Http.GetAsync("/api/v1/tenants/conv-f/campaigns"), HttpStatusCode.OK)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Bad_inbound_messages_and_reminders_are_refused_naming_every_problem()
    {
        var (importId, scriptId) = await SeedAsync("conv-g");
        var empty = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/conv-g/dev/inbound", new { channel = "fax" }), HttpStatusCode.BadRequest);
        Assert.Equal(["channel", "from", "text"], empty.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var badPhone = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/conv-g/dev/inbound", new { channel = "sms", from = "12", text = "yes" }), HttpStatusCode.BadRequest);
        Assert.Equal(["'12' is not a valid phone number."], badPhone.GetProperty("errors").GetProperty("from").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("unknownSender", Outcome(await Inbound("conv-g", "+12025550199", "hello")));

        var nudge = await Script("conv-g", "Card", new { id = "note", kind = "message", text = "The library opens at 8." });
        var bad = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/conv-g/campaigns", new
        {
            name = "Late",
            scriptId = nudge,
            channel = "sms",
            recipients = new { importId },
            schedule = new { kind = "now" },
            durationHours = 24,
            reminderAfterHours = 24,
        }), HttpStatusCode.BadRequest);
        Assert.Equal(
            ["A reminder goes 1 hour or more after the send and before the campaign's 24 hours are over.", "The script asks nothing, so there is no unanswered question to remind contacts of."],
            bad.GetProperty("errors").GetProperty("reminderAfterHours").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, (await Json(await Http.GetAsync("/api/v1/tenants/conv-g/campaigns"), HttpStatusCode.OK)).GetProperty("total").GetInt32());

        var campaignId = await SendAsync("conv-g", "Orientation", scriptId, importId, durationHours: 48, reminderAfterHours: 24);
        var detail = await Json(await Http.GetAsync($"/api/v1/tenants/conv-g/campaigns/{campaignId}"), HttpStatusCode.OK);
        Assert.Equal(24, detail.GetProperty("reminderAfterHours").GetInt32());
    }
}
