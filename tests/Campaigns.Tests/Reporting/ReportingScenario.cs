using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Conversations;
using Campaigns.Grains;
using Campaigns.Reporting;
using Campaigns.Scheduling;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Campaigns.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Reporting;

/// <summary>
/// A tenant (New York time) with a campaign of every kind, built through the facade on the in-process
/// cluster with a fake clock: two sends that finished (one interactive with answers, an invalid answer,
/// a #pause, a carrier failure and two skipped contacts; one nudge sent late in the New York evening),
/// a daily recurring check-in (two past instances and its next send), intros to two web-chat visitors
/// and an unknown number, one send held mid-send, one upcoming, one cancelled. Every id is kept by name.
/// </summary>
internal sealed class ReportingScenario : IAsyncDisposable
{
    public static readonly TenantId Tenant = TenantId.Parse("state-u");

    /// <summary>Five contacts: one opts out before anything is sent, one has no phone, one has a name that is a formula.</summary>
    public const string Csv = """
        phone,first_name,last_name,email,cohort
        2015550101,Ada,Lovelace,,2027
        2015550102,Grace,Hopper,,2027
        2015550103,"=HYPERLINK(""http://x.test"")",-Turing,,2026
        2015550104,Olive,Out,,2027
        ,Nora,Phone,nora@example.edu,2027
        """;

    public static readonly DateTimeOffset T0 = CampaignsTestCluster.Epoch; // 2026-03-02 15:00Z, 10:00 in New York

    private ReportingScenario(CampaignsTestCluster env, GateChannelProvider gate)
    {
        Env = env;
        Gate = gate;
    }

    public CampaignsTestCluster Env { get; }

    public GateChannelProvider Gate { get; }

    public FakeTimeProvider Clock => Env.Clock;

    public CampaignsClient Client => Env.Client;

    public Dictionary<string, string> Campaigns { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Contacts { get; } = new(StringComparer.Ordinal);

    public Script Interactive { get; private set; } = null!;

    public Script Nudge { get; private set; } = null!;

    public string ImportId { get; private set; } = null!;

    public string ScheduleId { get; private set; } = null!;

    public Script IntroScript { get; private set; } = null!;

    // Around the clock: this tenant's sends go out at once (waiting for sending hours has its own test).
    private static TenantSettings Settings { get; } = new("State University", "America/New_York", SendingHours: new SendingHours("00:00", "24:00"));

    public string Id(string name) => Campaigns[name];

    public string Name(string campaignId) => Campaigns.Single(c => c.Value == campaignId).Key;

    public IEnumerable<string> Names(CampaignListPage page) => page.Items.Select(r => Name(r.CampaignId));

    public static async Task<ReportingScenario> StartAsync(string dataDirectory, FakeTimeProvider? clock = null)
    {
        var gate = new GateChannelProvider();
        var env = await CampaignsTestCluster.StartAsync(dataDirectory, clock ?? new FakeTimeProvider(T0), services: s => s.AddSingleton<IChannelProvider>(gate));
        return new ReportingScenario(env, gate);
    }

    /// <summary>Builds the tenant; the Advising survey is left mid-send (call it in progress) until <see cref="FinishHeldSendAsync"/>.</summary>
    public async Task BuildAsync()
    {
        await Client.PutTenantAsync(Tenant, Settings);
        await Client.SetChannelAsync(Tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());
        using (var csv = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Csv)))
        {
            var import = await Client.ImportContactsAsync(Tenant, csv);
            Assert.Empty(import.Errors);
            ImportId = import.ImportId;
        }

        foreach (var contact in await Env.Store.GetImportContactsAsync(Tenant, ImportId, ImportSubset.All, null, 100))
        {
            Contacts[contact.LastName] = contact.ContactId;
        }

        Assert.True(await Env.Store.SetChannelStatusAsync(Tenant, Contacts["Out"], ChannelKind.Sms, ChannelStatus.OptedOut, null));

        Interactive = await Client.CreateScriptAsync(Tenant, new ScriptDraft("Check-in", "Two questions", [
            new StepDraft("hello", "message", "Hi {{firstName}}!"),
            new StepDraft("ask", "yesNo", "Are you on track this term?"),
            new StepDraft("pick", "multipleChoice", "What would help most?", ["Tutoring", "Advising", "Money"]),
        ]));
        Nudge = await Client.CreateScriptAsync(Tenant, new ScriptDraft("Hours", "One message", [new StepDraft("hello", "message", "The library is open late this week.")]));

        // Monday 10:00 New York: the interactive send, and a daily check-in from 10:01.
        await SendNowAsync("Spring welcome", "Welcome to the spring term", Interactive);
        ScheduleId = await Client.CreateCampaignAsync(Tenant, Request("Daily check-in", "Daily pulse", Interactive,
            CampaignSchedule.Recurring(Recurrence.Every(RecurrenceFrequency.Daily, T0.AddMinutes(1), "America/New_York"))));
        await Env.AdvanceToAsync(T0.AddMinutes(1));
        await InstanceSentAsync("Daily check-in Mon", T0.AddMinutes(1));
        await Env.AdvanceToAsync(T0.AddDays(1).AddMinutes(1));
        await InstanceSentAsync("Daily check-in Tue", T0.AddDays(1).AddMinutes(1));
        Campaigns["Daily check-in next"] = RecurrenceRules.InstanceId(ScheduleId, T0.AddDays(2).AddMinutes(1));

        // Tuesday 21:30 New York (Wednesday 02:30 UTC): the nudge.
        await Env.AdvanceToAsync(T0.AddHours(35.5));
        await SendNowAsync("Library hours", "Reminder for the class of 2027", Nudge);

        // Wednesday: answers, a carrier report each way, then the upcoming, cancelled and held sends.
        Clock.Advance(TimeSpan.FromHours(8));
        var welcome = Id("Spring welcome");
        await RespondAsync(welcome, "Lovelace", new FactResponse(Clock.GetUtcNow(), "ask", "yes"));
        await RespondAsync(welcome, "Lovelace", new FactResponse(Clock.GetUtcNow().AddMinutes(1), "pick", "Tutoring"));
        await RespondAsync(welcome, "Hopper", new FactResponse(Clock.GetUtcNow(), "ask", Invalid: true));
        await RespondAsync(welcome, "Hopper", new FactResponse(Clock.GetUtcNow().AddMinutes(2), Paused: true));
        var messages = Gate.Accepted.Where(m => m.CampaignId == welcome).ToDictionary(m => m.ContactId, m => m, StringComparer.Ordinal);
        var messageIds = (await Env.ReadFactsAsync(Tenant, welcome)).Where(f => f.MessageId is not null).ToDictionary(f => f.ContactId, f => f.MessageId!, StringComparer.Ordinal);
        Assert.Equal(3, messages.Count);
        Assert.True(await Client.RecordDeliveryAsync(Tenant, ClientReference.For(welcome, Contacts["Lovelace"]), messageIds[Contacts["Lovelace"]], delivered: true, null));
        Assert.True(await Client.RecordDeliveryAsync(Tenant, ClientReference.For(welcome, Contacts["-Turing"]), messageIds[Contacts["-Turing"]], delivered: false, "carrier rejected: unreachable"));

        // Intro scripts: two web-chat visitors (one answers), then an unknown number texting the open bot.
        IntroScript = await Client.CreateScriptAsync(Tenant, new ScriptDraft("Campus assistant", "Greets newcomers", [new StepDraft("student", "yesNo", "Hi! Are you a student here?")]));
        await Client.PutTenantAsync(Tenant, Settings with { OpenBot = true, IntroScripts = new IntroScripts(IntroScript.ScriptId, IntroScript.ScriptId) });
        var visitor = await Client.StartWebchatSessionAsync(Tenant);
        Assert.True(visitor.Introduced);
        Assert.True((await Client.StartWebchatSessionAsync(Tenant)).Introduced);
        Assert.Equal(InboundOutcome.Answered, (await Client.ReceiveAsync(Tenant, ChannelKind.Webchat, visitor.SessionId, "yes")).Outcome);
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(InboundOutcome.Introduced, (await Client.ReceiveAsync(Tenant, ChannelKind.Sms, "+12025550199", "hi, who is this?")).Outcome);
        Campaigns["Intro web chat"] = IntroductoryCampaign.Id(IntroTrigger.Webchat, IntroScript.ScriptId);
        Campaigns["Intro open bot"] = IntroductoryCampaign.Id(IntroTrigger.OpenBotSms, IntroScript.ScriptId);

        Campaigns["Fall orientation"] = await Client.CreateCampaignAsync(Tenant, Request("Fall orientation", "Class of 2030 orientation", Interactive, CampaignSchedule.Once(T0.AddDays(30))));
        Campaigns["Bake sale"] = await Client.CreateCampaignAsync(Tenant, Request("Bake sale", "Cancelled before it sent", Nudge, CampaignSchedule.Once(T0.AddDays(10))));
        await Client.CancelCampaignAsync(Tenant, Id("Bake sale"));

        Clock.Advance(TimeSpan.FromHours(1));
        Gate.HoldCall = Gate.Calls + 1;
        Campaigns["Advising survey"] = await Client.CreateCampaignAsync(Tenant, Request("Advising survey", "Mid-term advising", Interactive, CampaignSchedule.Now));
        await Gate.Held.WaitAsync(Within.Seconds(20));
    }

    /// <summary>Lets the held send finish and waits until its campaign reports it sent.</summary>
    public async Task FinishHeldSendAsync()
    {
        Gate.Release();
        await SentAsync(Id("Advising survey"));
    }

    /// <summary>Records a response through the campaign, as a contact's conversation does once it has matched the reply.</summary>
    public Task RespondAsync(string campaignId, string lastName, FactResponse response) => RespondAsync(Env, Tenant, campaignId, Contacts[lastName], response);

    /// <summary>Records a response through the campaign grain; the first response of a contact to a campaign is flagged as the conversation flags it.</summary>
    public static async Task RespondAsync(CampaignsTestCluster env, TenantId tenant, string campaignId, string contactId, FactResponse response)
    {
        var first = true;
        await foreach (var fact in env.Store.ReadFactsAsync(tenant, campaignId))
        {
            first &= !(fact.ContactId == contactId && fact.Responded);
        }

        TenantContext.Set(tenant);
        await env.Cluster.Client.GetGrain<ICampaignGrain>(tenant.Key(campaignId)).RecordResponse(
            new ContactResponse(contactId, response.At, response.StepId, response.Answer, response.Invalid, response.OptedOut, response.Paused, first));
    }

    public Task<IReadOnlyList<CampaignRow>> AllRowsAsync() => Client.ListAllCampaignRowsAsync(Tenant);

    public CampaignRequest Request(string name, string description, Script script, CampaignSchedule schedule) =>
        new(name, description, script.ScriptId, ChannelKind.Sms, new Recipients(ImportId), schedule);

    private async Task SendNowAsync(string name, string description, Script script)
    {
        Campaigns[name] = await Client.CreateCampaignAsync(Tenant, Request(name, description, script, CampaignSchedule.Now));
        await SentAsync(Campaigns[name]);
    }

    private async Task InstanceSentAsync(string name, DateTimeOffset at)
    {
        Campaigns[name] = RecurrenceRules.InstanceId(ScheduleId, at);
        await SentAsync(Campaigns[name]);
    }

    /// <summary>Waits for the three reachable contacts' messages; reading the campaign then waits for its page to finish.</summary>
    private async Task SentAsync(string campaignId)
    {
        await Gate.WaitAsync(a => a.Count(m => m.CampaignId == campaignId) >= 3, Within.Seconds(20));
        Assert.Equal(CampaignStatus.Sent, (await Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status);
    }

    public async ValueTask DisposeAsync()
    {
        Gate.Release();
        await Env.DisposeAsync();
    }
}
