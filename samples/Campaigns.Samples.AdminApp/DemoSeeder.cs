using System.Text;
using Campaigns;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Scripts;
using Campaigns.Tenants;

namespace Campaigns.Samples.AdminApp;

/// <summary>On the first run (an empty data folder), creates the <c>demo</c> tenant with contacts, scripts and campaigns.</summary>
internal sealed class DemoSeeder(CampaignsClient campaigns, Microsoft.Extensions.Options.IOptions<global::Campaigns.Hosting.CampaignsOptions> options, ILogger<DemoSeeder> logger) : IHostedService
{
    public static readonly TenantId Demo = TenantId.Parse("demo");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await campaigns.GetTenantAsync(Demo) is not null)
        {
            return;
        }

        await campaigns.PutTenantAsync(Demo, new TenantSettings("Demo University", "America/New_York"));
        const string csv = """
            phone,first_name,last_name,email,major
            +12025550143,Ada,Lovelace,ada@example.edu,Mathematics
            +12025550178,Grace,Hopper,grace@example.edu,Computer Science
            +12025550121,Alan,Turing,alan@example.edu,Philosophy
            """;
        var import = await campaigns.ImportContactsAsync(Demo, new MemoryStream(Encoding.UTF8.GetBytes(csv)), "demo", cancellationToken);
        var welcome = await campaigns.CreateScriptAsync(Demo, new ScriptDraft("Welcome week", "Checks students found orientation",
        [
            new StepDraft("hello", "message", "Hi {{firstName}}, welcome to Demo University!"),
            new StepDraft("ask", "yesNo", "Have you found your way to orientation in {{field.major}}?"),
        ]));
        var reminder = await campaigns.CreateScriptAsync(Demo, new ScriptDraft("FAFSA reminder", "A one-way nudge",
        [
            new StepDraft("nudge", "message", "{{firstName}}, the FAFSA deadline is next week."),
        ]));
        await campaigns.CreateCampaignAsync(Demo, new CampaignRequest("Welcome week", "First contact with new students", welcome.ScriptId, ChannelKind.Sms,
            new Recipients(import.ImportId), CampaignSchedule.Now));
        await campaigns.CreateCampaignAsync(Demo, new CampaignRequest("FAFSA reminder", "Deadline nudge", reminder.ScriptId, ChannelKind.Sms,
            new Recipients(import.ImportId), CampaignSchedule.Once(options.Value.TimeProvider.GetUtcNow().AddDays(1))));

        // A weekly check-in (its next send is upcoming; each send becomes its own row) and a web-chat intro with one visitor.
        var now = options.Value.TimeProvider.GetUtcNow();
        await campaigns.CreateCampaignAsync(Demo, new CampaignRequest("Weekly check-in", "Every Monday morning", welcome.ScriptId, ChannelKind.Sms,
            new Recipients(import.ImportId), CampaignSchedule.Recurring(Recurrence.Every(RecurrenceFrequency.Weekly, NextMonday(now), "America/New_York"))));
        var intro = await campaigns.CreateScriptAsync(Demo, new ScriptDraft("Campus assistant", "Greets new web-chat visitors",
        [
            new StepDraft("student", "yesNo", "Hi! I'm the Demo University assistant. Are you a current student?"),
        ]));
        await campaigns.PutTenantAsync(Demo, new TenantSettings("Demo University", "America/New_York", IntroScripts: new IntroScripts(Webchat: intro.ScriptId)));
        await campaigns.StartWebchatSessionAsync(Demo, cancellationToken);
        logger.LogInformation("Seeded the demo tenant 'demo' with 3 contacts, 3 scripts, 3 campaigns (one weekly) and a web-chat intro.");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>10:00 in New York on the next Monday after <paramref name="now"/>.</summary>
    private static DateTimeOffset NextMonday(DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var local = TimeZoneInfo.ConvertTime(now, zone).Date;
        var monday = local.AddDays(((int)DayOfWeek.Monday - (int)local.DayOfWeek + 7) % 7 is 0 ? 7 : ((int)DayOfWeek.Monday - (int)local.DayOfWeek + 7) % 7).AddHours(10);
        return new DateTimeOffset(monday, zone.GetUtcOffset(monday));
    }
}
