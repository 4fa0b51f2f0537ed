using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Reporting;

/// <summary>Every figure of the live list is the one a rebuild from the delivery facts gives, whatever happened in between.</summary>
public sealed class RebuildFromFactsTests
{
    private static readonly TenantId Tenant = TenantId.Parse("rebuild-u");

    private static readonly string Csv = "phone,first_name,last_name\n" + string.Join("\n", Enumerable.Range(1, 10).Select(i => $"20155501{i:D2},Contact,{i:D2}"));

    [Fact]
    public async Task After_a_random_run_of_sends_replies_failures_and_opt_outs_a_rebuild_changes_nothing()
    {
        using var dir = new TempDirectory();
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, clock);
        var (importId, interactive) = await env.SeedAsync(Tenant, Csv, new StepDraft("ask", "yesNo", "Coming to orientation, {{firstName}}?"));
        var nudge = await env.Client.CreateScriptAsync(Tenant, new ScriptDraft("Note", string.Empty, [new StepDraft("hi", "message", "See you soon")]));
        var contacts = (await env.Store.GetImportContactsAsync(Tenant, importId, ImportSubset.All, null, 100)).Select(c => c.ContactId).ToList();
        var optedIn = new HashSet<string>(contacts, StringComparer.Ordinal);
        var sends = new List<string>();
        var random = new Random(2026);

        for (var step = 0; step < 80; step++)
        {
            switch (random.Next(10))
            {
                case 0 or 1:
                {
                    var script = random.Next(3) == 0 ? nudge : interactive;
                    var expected = optedIn.Count;
                    var id = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now) with { Name = $"Send {step}" });
                    await env.Outbox.WaitAsync(m => m.Count(x => x.CampaignId == id) >= expected, Within.Seconds(20));
                    Assert.Equal(CampaignStatus.Sent, (await env.Client.GetCampaignAsync(Tenant, id))!.Row.Status);
                    sends.Add(id);
                    break;
                }

                case 2:
                {
                    var id = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, interactive.ScriptId, CampaignSchedule.Once(clock.GetUtcNow().AddDays(40 + step))) with { Name = $"Later {step}" });
                    if (random.Next(2) == 0)
                    {
                        await env.Client.CancelCampaignAsync(Tenant, id);
                    }

                    break;
                }

                case 3:
                    clock.Advance(TimeSpan.FromMinutes(random.Next(1, 600)));
                    break;

                default:
                {
                    if (sends.Count == 0)
                    {
                        break;
                    }

                    var campaignId = sends[random.Next(sends.Count)];
                    var attempted = await AttemptedAsync(env.Store, campaignId);
                    if (attempted.Count == 0)
                    {
                        break;
                    }

                    var fact = attempted[random.Next(attempted.Count)];
                    var at = clock.GetUtcNow();
                    switch (random.Next(6))
                    {
                        case 0:
                            await env.Client.RecordDeliveryAsync(Tenant, ClientReference.For(campaignId, fact.ContactId), fact.MessageId!, delivered: true, null);
                            break;
                        case 1:
                            await env.Client.RecordDeliveryAsync(Tenant, ClientReference.For(campaignId, fact.ContactId), fact.MessageId!, delivered: false, "carrier: unknown subscriber");
                            break;
                        case 2:
                            await RespondAsync(env, campaignId, fact.ContactId, new FactResponse(at, "ask", random.Next(2) == 0 ? "yes" : "no"));
                            break;
                        case 3:
                            await RespondAsync(env, campaignId, fact.ContactId, new FactResponse(at, "ask", Invalid: true));
                            break;
                        case 4:
                            await RespondAsync(env, campaignId, fact.ContactId, new FactResponse(at, OptedOut: true));
                            await env.Store.SetChannelStatusAsync(Tenant, fact.ContactId, ChannelKind.Sms, ChannelStatus.OptedOut, null);
                            optedIn.Remove(fact.ContactId);
                            break;
                        default:
                            await RespondAsync(env, campaignId, fact.ContactId, new FactResponse(at, Paused: true));
                            await env.Store.SetChannelStatusAsync(Tenant, fact.ContactId, ChannelKind.Sms, ChannelStatus.Paused, at.AddDays(14));
                            optedIn.Remove(fact.ContactId);
                            break;
                    }

                    // The live row moves with the facts at once.
                    var row = await env.Client.GetCampaignRowAsync(Tenant, campaignId);
                    Assert.Equal(await OracleAsync(env.Store, campaignId), (row!.Sent, row.Responded));
                    break;
                }
            }
        }

        Assert.True(sends.Count >= 5, "the run should send a few campaigns");
        var live = await env.Client.ListAllCampaignRowsAsync(Tenant);
        foreach (var id in sends)
        {
            var row = live.Single(r => r.CampaignId == id);
            Assert.Equal(await OracleAsync(env.Store, id), (row.Sent, row.Responded));
        }

        var rebuilt = await env.Client.RebuildCampaignListAsync(Tenant, TestContext.Current.CancellationToken);

        Assert.Equal(new IndexRebuild(live.Count, Changed: 0), rebuilt);
        Assert.Equal(live, await env.Client.ListAllCampaignRowsAsync(Tenant));
        var list = await env.Client.ListCampaignsAsync(Tenant, new CampaignListQuery(PageSize: 500));
        Assert.Equal(live.Count(r => r.Status != CampaignStatus.Cancelled), list.Total);
    }

    private static Task RespondAsync(CampaignsTestCluster env, string campaignId, string contactId, FactResponse response) =>
        ReportingScenario.RespondAsync(env, Tenant, campaignId, contactId, response);

    private static async Task<List<DeliveryFact>> AttemptedAsync(ICampaignStore store, string campaignId)
    {
        var facts = new List<DeliveryFact>();
        await foreach (var fact in store.ReadFactsAsync(Tenant, campaignId))
        {
            if (fact.Status is DeliveryStatus.Sent or DeliveryStatus.Delivered or DeliveryStatus.Failed)
            {
                facts.Add(fact);
            }
        }

        return facts;
    }

    /// <summary>The list's figures by their definition, counted here in C# from the facts as stored.</summary>
    private static async Task<(int Sent, int Responded)> OracleAsync(ICampaignStore store, string campaignId)
    {
        var attempted = await AttemptedAsync(store, campaignId);
        return (attempted.Count, attempted.Count(f => f.Responded));
    }
}
