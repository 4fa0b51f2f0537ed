using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

/// <summary>
/// How a fan-out writes its facts: a fresh page whose provider answers at once is written once, after
/// its sends; the first page of an activation, a page an interrupted run had written, and a page whose
/// provider starts to wait are claimed before their messages' answers are waited for.
/// </summary>
public sealed class CampaignFanOutWritesTests
{
    private static readonly TenantId Tenant = TenantId.Parse("writes");

    /// <summary>
    /// Waits until <paramref name="done"/> holds. Each round is a call to the campaign grain, which waits for
    /// the grain's current turn (a page being sent and written), so the loop follows the send, not a clock.
    /// </summary>
    private static async Task UntilAsync(CampaignsTestCluster env, string campaignId, Func<Task<bool>> done)
    {
        var within = Within.Seconds(20);
        while (!await done())
        {
            within.ThrowIfCancellationRequested();
            await env.Client.GetCampaignAsync(Tenant, campaignId);
        }
    }

    private static Task UntilSentAsync(CampaignsTestCluster env, string campaignId) =>
        UntilAsync(env, campaignId, async () => (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status == CampaignStatus.Sent);

    private static async Task<IReadOnlyList<Contact>> ContactsInSendOrderAsync(CampaignsTestCluster env, string importId) =>
        await env.Store.GetImportContactsAsync(Tenant, importId, ImportSubset.All, null, 10, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_send_through_a_provider_that_answers_at_once_records_every_message_once_with_its_id_and_time()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        var gate = new GateChannelProvider();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock, o => o.FanOutPageSize = 2, services => services.AddSingleton<IChannelProvider>(gate));
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.FiveContactsCsv + "\n2015550116,Olive,Out", new StepDraft("hello", "message", "Hello {{firstName}}"));
        await env.Client.SetChannelAsync(Tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());
        var olive = (await ContactsInSendOrderAsync(env, importId)).Single(c => c.LastName == "Out");
        await env.Store.SetChannelStatusAsync(Tenant, olive.ContactId, ChannelKind.Sms, ChannelStatus.OptedOut, null, TestContext.Current.CancellationToken);

        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));
        await gate.WaitForAcceptedAsync(5, Within.Seconds(20));
        await UntilSentAsync(env, campaignId);

        var details = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal((CampaignStatus.Sent, 5, 1), (details!.Row.Status, details.Row.Sent, details.Skipped));
        Assert.Equal(5, gate.Accepted.Count);
        var facts = new List<DeliveryFact>();
        await foreach (var fact in env.Store.ReadFactsAsync(Tenant, campaignId, TestContext.Current.CancellationToken))
        {
            facts.Add(fact);
        }

        // Each message's fact carries the provider's id and the send time (pages 2 and 3 were written once).
        Assert.Equal(6, facts.Count);
        Assert.Equal(("opted out", DeliveryStatus.Skipped), facts.Where(f => f.ContactId == olive.ContactId).Select(f => (f.Reason, f.Status)).Single());
        var sent = facts.Where(f => f.ContactId != olive.ContactId).ToList();
        Assert.All(sent, f => Assert.Equal((DeliveryStatus.Sent, CampaignsTestCluster.Epoch), (f.Status, f.SentAt)));
        Assert.Equal(
            gate.Accepted.Select(m => m.ContactId).Order(StringComparer.Ordinal),
            sent.Select(f => f.ContactId).Order(StringComparer.Ordinal));
        Assert.Equal(5, sent.Select(f => f.MessageId).Distinct().Count());
        Assert.All(sent, f => Assert.StartsWith("gate-", f.MessageId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_contact_who_opts_out_while_the_page_before_theirs_waits_for_its_provider_is_not_sent_to()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);

        // Pages of two: page one is claimed (an activation's first), page two is fresh, so page three is read
        // ahead while page two goes; page two's first call (the third) waits, and the fifth contact opts out then.
        var gate = new GateChannelProvider { HoldCall = 3 };
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock, o => o.FanOutPageSize = 2, services => services.AddSingleton<IChannelProvider>(gate));
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.FiveContactsCsv + "\n2015550116,Six,F", new StepDraft("hello", "message", "Hello {{firstName}}"));
        await env.Client.SetChannelAsync(Tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());
        var contacts = await ContactsInSendOrderAsync(env, importId);
        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));

        await gate.Held.WaitAsync(Within.Seconds(20));
        await env.Store.SetChannelStatusAsync(Tenant, contacts[4].ContactId, ChannelKind.Sms, ChannelStatus.OptedOut, null, TestContext.Current.CancellationToken);
        gate.Release();
        await UntilSentAsync(env, campaignId);

        // The page read ahead before the wait is dropped: page three is read again, after the opt-out.
        Assert.Equal(
            contacts.Where((_, i) => i != 4).Select(c => c.ContactId),
            gate.Accepted.Select(m => m.ContactId).Order(StringComparer.Ordinal));
        var facts = await env.ReadFactsAsync(Tenant, campaignId);
        Assert.Equal(contacts.Select(c => c.ContactId), facts.Select(f => f.ContactId));
        Assert.Equal(DeliveryStatus.Skipped, facts[4].Status);
        Assert.Equal((CampaignStatus.Sent, 5, 1), await env.Client.GetCampaignAsync(Tenant, campaignId) is { } d ? (d.Row.Status, d.Row.Sent, d.Skipped) : default);
    }

    [Fact]
    public async Task A_page_read_ahead_is_read_again_when_the_write_before_it_took_longer_than_a_second()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        CampaignsTestCluster? cluster = null;
        string? optOut = null;
        string? pageThreeAfter = null;
        var pageThreeReads = 0;
        var slowWrites = 0;

        // Pages of two: page one is claimed (an activation's first), page two is fresh, so page three is read ahead
        // while page two goes. Page two's write waits two seconds (the store's lock, as under an import), and the
        // fifth contact opts out meanwhile.
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock, o => o.FanOutPageSize = 2, services =>
            FaultyStore.Register(services, (method, args) =>
            {
                if (method == nameof(ICampaignStore.GetImportContactsAsync) && pageThreeAfter is not null && (string?)args[3] == pageThreeAfter)
                {
                    Interlocked.Increment(ref pageThreeReads);
                }
                else if (method == nameof(ICampaignStore.InsertFactsAsync) && Interlocked.Increment(ref slowWrites) == 1)
                {
                    clock.Advance(TimeSpan.FromSeconds(2));
                    cluster!.Store.SetChannelStatusAsync(Tenant, optOut!, ChannelKind.Sms, ChannelStatus.OptedOut, null).GetAwaiter().GetResult();
                }

                return false;
            }));
        cluster = env;
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.FiveContactsCsv + "\n2015550116,Six,F", new StepDraft("hello", "message", "Hello {{firstName}}"));
        var contacts = await ContactsInSendOrderAsync(env, importId);
        (optOut, pageThreeAfter) = (contacts[4].ContactId, contacts[3].ContactId);
        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));
        await UntilSentAsync(env, campaignId);

        // Page three was read ahead before the opt-out, and read again after it: the fifth contact is skipped.
        Assert.Equal(2, pageThreeReads);
        Assert.Equal(contacts.Where((_, i) => i != 4).Select(c => c.Phone), env.Outbox.Messages.Select(m => m.Address).Order(StringComparer.Ordinal));
        var facts = await env.ReadFactsAsync(Tenant, campaignId);
        Assert.Equal(DeliveryStatus.Skipped, facts.Single(f => f.ContactId == contacts[4].ContactId).Status);
    }

    [Fact]
    public async Task A_resumed_send_does_not_resend_a_page_an_interrupted_run_wrote_past_its_cursor()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        var gate = new GateChannelProvider();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock, o => o.FanOutPageSize = 2, services => services.AddSingleton<IChannelProvider>(gate));
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.FiveContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));
        await env.Client.SetChannelAsync(Tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());
        var contacts = await ContactsInSendOrderAsync(env, importId);
        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Once(CampaignsTestCluster.Epoch.AddHours(1))));

        // The second page as a run that wrote it and died before its cursor moved would have left it.
        await env.Store.InsertFactsAsync(Tenant, campaignId,
            [.. contacts.Skip(2).Take(2).Select(c => new NewFact(c.ContactId, ChannelKind.Sms, c.Phone, DeliveryStatus.Sent, MessageId: $"earlier-{c.ContactId}", SentAt: CampaignsTestCluster.Epoch))],
            TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromHours(1));
        await gate.WaitForAcceptedAsync(3, Within.Seconds(20));
        await UntilSentAsync(env, campaignId);

        var details = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal((CampaignStatus.Sent, 5), (details!.Row.Status, details.Row.Sent));
        Assert.Equal(
            [contacts[0].ContactId, contacts[1].ContactId, contacts[4].ContactId],
            gate.Accepted.Select(m => m.ContactId).Order(StringComparer.Ordinal));
        var facts = await env.ReadFactsAsync(Tenant, campaignId);
        Assert.Equal(5, facts.Count);
        Assert.All(facts, f => Assert.Equal(DeliveryStatus.Sent, f.Status));
        Assert.Equal([$"earlier-{contacts[2].ContactId}", $"earlier-{contacts[3].ContactId}"], facts.Skip(2).Take(2).Select(f => f.MessageId));
    }

    [Fact]
    public async Task A_page_whose_provider_starts_to_wait_shows_its_contacts_before_the_answer_comes()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);

        // Page one (three messages) is answered at once; page two's first call waits.
        var gate = new GateChannelProvider { HoldCall = 4 };
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock, o => o.FanOutPageSize = 3, services => services.AddSingleton<IChannelProvider>(gate));
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.FiveContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));
        await env.Client.SetChannelAsync(Tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());
        var contacts = await ContactsInSendOrderAsync(env, importId);
        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));

        // The fifth contact's message goes after the fourth's call started to wait: by then page two is claimed.
        await gate.Held.WaitAsync(Within.Seconds(20));
        await gate.WaitForAcceptedAsync(4, Within.Seconds(20));
        var during = await env.ReadFactsAsync(Tenant, campaignId);
        Assert.Equal(contacts.Select(c => c.ContactId), during.Select(f => f.ContactId));
        Assert.Equal(
            [DeliveryStatus.Sent, DeliveryStatus.Sent, DeliveryStatus.Sent, DeliveryStatus.Pending, DeliveryStatus.Pending],
            during.Select(f => f.Status));

        gate.Release();
        await gate.WaitForAcceptedAsync(5, Within.Seconds(20));
        await UntilSentAsync(env, campaignId);
        var details = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal((CampaignStatus.Sent, 5), (details!.Row.Status, details.Row.Sent));
        var facts = await env.ReadFactsAsync(Tenant, campaignId);
        Assert.All(facts, f => Assert.Equal(DeliveryStatus.Sent, f.Status));
        Assert.Equal(5, gate.Accepted.Select(m => m.ContactId).Distinct().Count());
        Assert.Equal(5, gate.Calls);
    }

    [Fact]
    public async Task A_page_written_once_holds_contacts_outside_their_sending_hours_and_sends_them_when_it_opens()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        var gate = new GateChannelProvider();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock, o => o.FanOutPageSize = 2, services => services.AddSingleton<IChannelProvider>(gate));
        await env.Client.PutTenantAsync(Tenant, new Tenants.TenantSettings("Writes", "America/New_York"));
        await env.Client.SetChannelAsync(Tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());
        var script = await env.Client.CreateScriptAsync(Tenant, new ScriptDraft("Welcome", "First contact", [new StepDraft("hello", "message", "Hello {{firstName}}")]));

        // 15:00 UTC: 10:00 in New York (inside the default 08:00-21:00), midnight in Tokyo (opens at 23:00 UTC).
        // Pages of two in id order: (ct_1 New York, ct_2 Tokyo) is claimed, (ct_3 New York, ct_4 Tokyo) written once.
        string[] zones = ["America/New_York", "Asia/Tokyo", "America/New_York", "Asia/Tokyo"];
        await env.Store.InImportAsync(Tenant, async session =>
        {
            var contacts = new List<ImportedContact>();
            for (var i = 0; i < zones.Length; i++)
            {
                var contact = new Contact($"ct_{i + 1}", $"C{i + 1}", "Zone", $"+1201555011{i}", null, zones[i], null,
                    new Dictionary<string, string>(), [], new Dictionary<ChannelKind, ChannelStatus>());
                contacts.Add(new ImportedContact(contact, Created: true, PhoneChanged: false, Line: i + 2));
            }

            await session.WriteAsync("imp_zones", contacts);
            await session.AddImportAsync("imp_zones", "zones", CampaignsTestCluster.Epoch, zones.Length, 0, 0);
            return 0;
        }, TestContext.Current.CancellationToken);

        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request("imp_zones", script.ScriptId, CampaignSchedule.Now));
        await gate.WaitForAcceptedAsync(2, Within.Seconds(20));
        var opening = CampaignsTestCluster.Epoch.AddHours(8);
        await UntilAsync(env, campaignId, async () => (await env.ReadFactsAsync(Tenant, campaignId)).Count == 4
            && await env.Store.NextWaitAsync(Tenant, campaignId, TestContext.Current.CancellationToken) is not null);
        Assert.Equal(opening, await env.Store.NextWaitAsync(Tenant, campaignId, TestContext.Current.CancellationToken));
        Assert.Equal(
            [("ct_1", DeliveryStatus.Sent), ("ct_2", DeliveryStatus.Waiting), ("ct_3", DeliveryStatus.Sent), ("ct_4", DeliveryStatus.Waiting)],
            (await env.ReadFactsAsync(Tenant, campaignId)).Select(f => (f.ContactId, f.Status)));
        Assert.Equal(CampaignStatus.Sending, (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status);

        await env.AdvanceToAsync(opening);
        await gate.WaitForAcceptedAsync(4, Within.Seconds(20));
        await UntilSentAsync(env, campaignId);
        Assert.Equal(["ct_1", "ct_2", "ct_3", "ct_4"], gate.Accepted.Select(m => m.ContactId).Order(StringComparer.Ordinal));
        Assert.All(await env.ReadFactsAsync(Tenant, campaignId), f => Assert.Equal(DeliveryStatus.Sent, f.Status));
        Assert.Equal((CampaignStatus.Sent, 4), ((await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status, (await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Sent));
    }
}
