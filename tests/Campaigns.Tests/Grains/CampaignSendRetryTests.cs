using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Grains;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

/// <summary>
/// A store write that fails during a send (SQLite busy past its timeout): the send goes on by itself
/// after a short pause, without waiting for the due-work sweep, and every contact still gets exactly one
/// message and one fact.
/// </summary>
public sealed class CampaignSendRetryTests
{
    private static readonly TenantId Tenant = TenantId.Parse("retries");

    private static async Task<(CampaignsTestCluster Env, GateChannelProvider Gate, FaultyStore Faults, string CampaignId, IReadOnlyList<Contact> Contacts)> StartSendAsync(
        TempDirectory dir, Func<string, object?[], bool> failing, int holdCall = 0)
    {
        var clock = new FakeTimeProvider(CampaignsTestCluster.Epoch);
        var gate = new GateChannelProvider { HoldCall = holdCall };
        FaultyStore? faults = null;
        var env = await CampaignsTestCluster.StartAsync(dir.Path, clock, o => o.FanOutPageSize = 2, services =>
        {
            services.AddSingleton<IChannelProvider>(gate);
            faults = FaultyStore.Register(services, failing);
        });
        var (importId, script) = await env.SeedAsync(Tenant, CampaignsTestCluster.FiveContactsCsv, new StepDraft("hello", "message", "Hello {{firstName}}"));
        await env.Client.SetChannelAsync(Tenant, ChannelKind.Sms, GateChannelProvider.Name, new Dictionary<string, string>());
        var contacts = await env.Store.GetImportContactsAsync(Tenant, importId, ImportSubset.All, null, 10, TestContext.Current.CancellationToken);
        var campaignId = await env.Client.CreateCampaignAsync(Tenant, CampaignsTestCluster.Request(importId, script.ScriptId, CampaignSchedule.Now));
        return (env, gate, faults!, campaignId, contacts);
    }

    /// <summary>Lets the failed turn end, then moves the clock past the longest retry pause (well short of a sweep).</summary>
    private static async Task RetryAsync(CampaignsTestCluster env, FaultyStore faults, string campaignId)
    {
        await faults.FirstFailure.WaitAsync(Within.Seconds(20));

        // A call to the campaign waits for the failed turn to end (and arm its retry).
        await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.True(CampaignGrain.RetryDelay(1) < env.Options.SweepInterval);
        env.Clock.Advance(CampaignGrain.RetryDelay(1));
        await env.SettledAsync();
    }

    private static async Task UntilSentAsync(CampaignsTestCluster env, string campaignId)
    {
        var within = Within.Seconds(20);
        while ((await env.Client.GetCampaignAsync(Tenant, campaignId))!.Row.Status != CampaignStatus.Sent)
        {
            within.ThrowIfCancellationRequested();
        }
    }

    private static async Task AssertOneMessageAndOneFactEachAsync(CampaignsTestCluster env, GateChannelProvider gate, string campaignId, IReadOnlyList<Contact> contacts)
    {
        var ids = contacts.Select(c => c.ContactId).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ids, gate.Accepted.Select(m => m.ContactId).Order(StringComparer.Ordinal));
        var facts = await env.ReadFactsAsync(Tenant, campaignId);
        Assert.Equal(ids, facts.Select(f => f.ContactId));
        Assert.All(facts, f => Assert.Equal(DeliveryStatus.Sent, f.Status));

        // Each fact names the message that went (the gate numbers its calls): none is lost or made up.
        Assert.Equal(
            Enumerable.Range(1, contacts.Count).Select(n => $"gate-{n}").Order(StringComparer.Ordinal),
            facts.Select(f => f.MessageId!).Order(StringComparer.Ordinal));
        var details = await env.Client.GetCampaignAsync(Tenant, campaignId);
        Assert.Equal((CampaignStatus.Sent, contacts.Count), (details!.Row.Status, details.Row.Sent));
    }

    /// <summary>
    /// Page one is claimed (an activation's first page); page two is the first written once, after its sends. Whichever
    /// write fails (the claim before the sends, the record of a claimed page's sends, the insert of a page written once),
    /// the send goes on by itself and no message leaves twice.
    /// </summary>
    [Theory]
    [InlineData(nameof(ICampaignStore.ClaimAsync))]
    [InlineData(nameof(ICampaignStore.RecordSendsAsync))]
    [InlineData(nameof(ICampaignStore.InsertFactsAsync))]
    public async Task A_page_whose_write_fails_is_written_on_retry_and_not_sent_again(string failingWrite)
    {
        using var dir = new TempDirectory();
        var (env, gate, faults, campaignId, contacts) = await StartSendAsync(dir, FaultyStore.OnCall(failingWrite, 1));
        await using (env)
        {
            await RetryAsync(env, faults, campaignId);
            await UntilSentAsync(env, campaignId);

            Assert.Equal(1, faults.Failed);
            await AssertOneMessageAndOneFactEachAsync(env, gate, campaignId, contacts);
        }
    }

    [Fact]
    public async Task A_claim_that_fails_while_the_provider_waits_leaves_the_page_written_once_at_its_end()
    {
        using var dir = new TempDirectory();

        // Page one (claimed first) is answered at once; page two's first call waits, so the page is claimed
        // then, after its first message left: that claim fails, and the page must still be written, once.
        var (env, gate, faults, campaignId, contacts) = await StartSendAsync(dir, FaultyStore.OnCall(nameof(ICampaignStore.ClaimAsync), 2), holdCall: 3);
        await using (env)
        {
            await faults.FirstFailure.WaitAsync(Within.Seconds(20));
            gate.Release();
            await UntilSentAsync(env, campaignId);

            Assert.Equal(1, faults.Failed);
            await AssertOneMessageAndOneFactEachAsync(env, gate, campaignId, contacts);
        }
    }

    [Fact]
    public async Task A_next_page_whose_read_ahead_fails_is_read_again_without_a_pause()
    {
        using var dir = new TempDirectory();

        // Page two is the first written once: while it is sent and written, page three is read ahead on the
        // thread pool. That read (the second after a cursor: page two's is the first) fails; the clock never
        // moves, so a failed turn (which waits for its retry pause) would leave the send unfinished.
        var reads = 0;
        var (env, gate, faults, campaignId, contacts) = await StartSendAsync(dir, (method, args) =>
            method == nameof(ICampaignStore.GetImportContactsAsync) && args[3] is not null && Interlocked.Increment(ref reads) == 2);
        await using (env)
        {
            await UntilSentAsync(env, campaignId);

            Assert.Equal(1, faults.Failed);
            await AssertOneMessageAndOneFactEachAsync(env, gate, campaignId, contacts);
        }
    }

    [Fact]
    public void The_pause_before_a_retry_grows_and_stays_bounded()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), CampaignGrain.RetryDelay(1));
        Assert.Equal(TimeSpan.FromMilliseconds(200), CampaignGrain.RetryDelay(2));
        Assert.Equal(TimeSpan.FromMilliseconds(400), CampaignGrain.RetryDelay(3));
        Assert.Equal(TimeSpan.FromSeconds(5), CampaignGrain.RetryDelay(10));
        Assert.Equal(TimeSpan.FromSeconds(5), CampaignGrain.RetryDelay(int.MaxValue));
    }
}
