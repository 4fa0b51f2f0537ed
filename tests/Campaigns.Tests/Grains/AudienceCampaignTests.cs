using System.Text;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Channels.Dev;
using Campaigns.Contacts;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Campaigns.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

/// <summary>Campaigns sent to an audience (evaluated when they send), and the contacts a send skips.</summary>
public sealed class AudienceCampaignTests
{
    private static readonly TenantId Tenant = TenantId.Parse("aud-send");

    private static async Task<(Script Script, Dictionary<string, string> Ids)> SeedAsync(CampaignsTestCluster env, string csv)
    {
        await env.Client.PutTenantAsync(Tenant, new TenantSettings("Audience U", "Etc/UTC"));
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        var import = await env.Client.ImportContactsAsync(Tenant, stream);
        Assert.Empty(import.Errors);
        var contacts = await env.Store.GetImportContactsAsync(Tenant, import.ImportId, ImportSubset.All, null, 100);
        var script = await env.Client.CreateScriptAsync(Tenant, new ScriptDraft("Hello", "", [new StepDraft("hi", "message", "Hi {{firstName}}")]));
        return (script, contacts.ToDictionary(c => c.FirstName, c => c.ContactId));
    }

    private static CampaignRequest ToAudience(string audienceId, string scriptId) =>
        new("Class of 2027", "", scriptId, ChannelKind.Sms, new Recipients(null, AudienceId: audienceId), CampaignSchedule.Now);

    [Fact]
    public async Task An_audience_campaign_sends_page_by_page_to_the_members_at_send_time_only()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock, o => o.FanOutPageSize = 2);
        var (script, _) = await SeedAsync(env, """
            phone,first_name,last_name,cohort
            2015550101,Ada,A,2027
            2015550102,Ben,B,2027
            2015550103,Cy,C,2026
            2015550104,Di,D,2027
            """);
        var audience = await env.Client.CreateAudienceAsync(Tenant, new AudienceDraft("Class of 2027", [new("cohort", "is", "2027")]));

        // Members are evaluated when the campaign sends: these join (and Cy stays out) after the audience was saved.
        using (var more = new MemoryStream(Encoding.UTF8.GetBytes("phone,first_name,last_name,cohort\n2015550105,Eve,E,2027\n2015550106,Flo,F,2027\n")))
        {
            await env.Client.ImportContactsAsync(Tenant, more);
        }

        var campaignId = await env.Client.CreateCampaignAsync(Tenant, ToAudience(audience.AudienceId, script.ScriptId));
        await env.Outbox.WaitAsync(m => m.Count >= 5, Within.Seconds(20));

        var details = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal(CampaignStatus.Sent, details!.Row.Status);
        Assert.Equal(5, details.Row.Sent);
        Assert.Equal(new Recipients(null, AudienceId: audience.AudienceId), details.Request.Recipients);
        Assert.Equal(
            ["+12015550101 Hi Ada", "+12015550102 Hi Ben", "+12015550104 Hi Di", "+12015550105 Hi Eve", "+12015550106 Hi Flo"],
            env.Outbox.For(Tenant).Select(m => $"{m.Address} {m.Text}").Order(StringComparer.Ordinal));
        Assert.Equal(5, (await env.ReadFactsAsync(Tenant, campaignId)).Count);
    }

    [Fact]
    public async Task Paused_opted_out_archived_invalid_and_unreachable_members_are_skipped_not_sent()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock);
        var (script, ids) = await SeedAsync(env, """
            phone,first_name,last_name,email,cohort
            2015550101,Ada,A,,2027
            2015550102,Ben,B,,2027
            2015550103,Cy,C,,2027
            2015550104,Di,D,,2027
            2015550105,Ed,E,,2027
            2015550106,Flo,F,,2027
            2015550107,Gus,G,,2027
            ,Hal,H,hal@example.org,2027
            2015550109,Ivy,I,,2026
            """);
        await env.Store.SetChannelStatusAsync(Tenant, ids["Ben"], ChannelKind.Sms, ChannelStatus.OptedOut, null);
        await env.Store.SetChannelStatusAsync(Tenant, ids["Cy"], ChannelKind.Sms, ChannelStatus.Paused, null);
        await env.Store.SetChannelStatusAsync(Tenant, ids["Di"], ChannelKind.Sms, ChannelStatus.Paused, CampaignsTestCluster.Epoch.AddHours(1));
        await env.Store.SetChannelStatusAsync(Tenant, ids["Ed"], ChannelKind.Sms, ChannelStatus.Paused, CampaignsTestCluster.Epoch.AddDays(14));
        Assert.NotNull(await env.Client.SetContactArchivedAsync(Tenant, ids["Flo"], true));
        for (var i = 0; i < env.Options.InvalidPhoneAfterFailures; i++)
        {
            await env.Store.RecordPhoneDeliveryAsync(Tenant, ids["Gus"], "+12015550107", false, env.Options.InvalidPhoneAfterFailures);
        }

        var audience = await env.Client.CreateAudienceAsync(Tenant, new AudienceDraft("Class of 2027", [new("cohort", "is", "2027")]));

        // Di's two-hour pause has ended by the time the campaign sends; Ed's two-week one has not.
        clock.Advance(TimeSpan.FromHours(2));
        var campaignId = await env.Client.CreateCampaignAsync(Tenant, ToAudience(audience.AudienceId, script.ScriptId));
        await env.Outbox.WaitAsync(m => m.Count >= 2, Within.Seconds(20));

        var details = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal(CampaignStatus.Sent, details!.Row.Status);
        Assert.Equal((2, 6), (details.Row.Sent, details.Skipped));
        Assert.Equal(["+12015550101", "+12015550104"], env.Outbox.For(Tenant).Select(m => m.Address).Order(StringComparer.Ordinal));
        var facts = await env.Store.ReadFactsAsync(Tenant, campaignId).ToListAsync();
        var byName = ids.ToDictionary(p => p.Value, p => p.Key);
        Assert.Equal(
            new Dictionary<string, (DeliveryStatus, string?)>
            {
                ["Ada"] = (DeliveryStatus.Sent, null),
                ["Ben"] = (DeliveryStatus.Skipped, "opted out"),
                ["Cy"] = (DeliveryStatus.Skipped, "paused"),
                ["Di"] = (DeliveryStatus.Sent, null),
                ["Ed"] = (DeliveryStatus.Skipped, "paused"),
                ["Flo"] = (DeliveryStatus.Skipped, "archived"),
                ["Gus"] = (DeliveryStatus.Skipped, "invalid phone"),
                ["Hal"] = (DeliveryStatus.Skipped, "no address"),
            },
            facts.ToDictionary(f => byName[f.ContactId], f => (f.Status, f.Reason)));
    }

    [Fact]
    public async Task Carrier_failures_reported_for_a_phone_make_later_campaigns_skip_it_until_an_import_gives_a_new_one()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock, o => o.InvalidPhoneAfterFailures = 2);
        var (script, ids) = await SeedAsync(env, "phone,first_name,last_name,external_id\n2015550101,Ada,A,s-1\n");
        var audience = await env.Client.CreateAudienceAsync(Tenant, new AudienceDraft("Ada", [new("externalId", "is", "s-1")]));

        async Task<string> SendAsync(int expectedMessages)
        {
            var id = await env.Client.CreateCampaignAsync(Tenant, ToAudience(audience.AudienceId, script.ScriptId));
            await env.Outbox.WaitAsync(m => m.Count >= expectedMessages, Within.Seconds(20));

            // The grain answers after the page it is sending, so its outcomes (message ids) are recorded by then.
            Assert.Equal(CampaignStatus.Sent, (await env.Client.GetCampaignAsync(Tenant, id))!.Row.Status);
            return id;
        }

        foreach (var n in new[] { 1, 2 })
        {
            await SendAsync(n);
            var last = env.Outbox.Messages[^1].MessageId;
            Assert.True(DevMessageIds.TryReadReference(last, out var reference));
            Assert.True(await env.Client.RecordDeliveryAsync(Tenant, reference, last, delivered: false, "carrier: unreachable"));
        }

        var contact = await env.Client.GetContactAsync(Tenant, ids["Ada"]);
        Assert.Equal((true, 2), (contact!.InvalidPhone, contact.ConsecutiveFailures));
        var skippedId = await SendAsync(2);
        var skipped = await env.Client.GetCampaignAsync(Tenant, skippedId);
        Assert.Equal((0, 1), (skipped!.Row.Sent, skipped.Skipped));
        Assert.Equal("invalid phone", (await env.Store.ReadFactsAsync(Tenant, skippedId).SingleAsync()).Reason);

        using (var csv = new MemoryStream(Encoding.UTF8.GetBytes("phone,first_name,last_name,external_id\n2015550199,Ada,A,s-1\n")))
        {
            await env.Client.ImportContactsAsync(Tenant, csv);
        }

        await SendAsync(3);
        Assert.Equal("+12015550199", env.Outbox.Messages[^1].Address);
    }
}
