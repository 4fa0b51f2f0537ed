using Campaigns.Channels;
using Campaigns.Storage;
using Campaigns.Tests.Support;

namespace Campaigns.Tests.Storage;

public sealed class SqliteCampaignStoreFactsTests
{
    private static readonly TenantId Tenant = TenantId.Parse("facts");
    private static readonly DateTimeOffset At = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    private static async Task<SqliteCampaignStore> StoreAsync(TempDirectory dir)
    {
        var store = new SqliteCampaignStore(Path.Combine(dir.Path, "campaigns.db"));
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        return store;
    }

    private static DeliveryFact Pending(string contact, string? address = "+12015550101") => new(contact, ChannelKind.Sms, address, DeliveryStatus.Pending);

    [Fact]
    public async Task A_second_claim_returns_what_the_first_stored_and_claims_only_the_new_contacts()
    {
        using var dir = new TempDirectory();
        var store = await StoreAsync(dir);
        var first = await store.ClaimAsync(Tenant, "cmp_1", [Pending("ct_a"), new DeliveryFact("ct_b", ChannelKind.Sms, null, DeliveryStatus.Skipped, "no address")]);
        Assert.Equal([("ct_a", DeliveryStatus.Pending, (string?)null), ("ct_b", DeliveryStatus.Skipped, "no address")], first.Select(f => (f.ContactId, f.Status, f.Reason)));
        Assert.All(first, f => Assert.Equal("cmp_1", f.CampaignId));
        await store.RecordSendsAsync(Tenant, "cmp_1", [new SendOutcome("ct_a", true, "msg-a", null, At)]);

        // A resumed page: ct_a was sent, ct_b skipped, ct_c is new; the order of the request is kept.
        var second = await store.ClaimAsync(Tenant, "cmp_1", [Pending("ct_c", "+12015550103"), Pending("ct_a"), Pending("ct_b")]);

        Assert.Equal(
            [("ct_c", DeliveryStatus.Pending, (string?)null, "+12015550103"), ("ct_a", DeliveryStatus.Sent, "msg-a", "+12015550101"), ("ct_b", DeliveryStatus.Skipped, null, null)],
            second.Select(f => (f.ContactId, f.Status, f.MessageId, f.Address)));
        Assert.Equal(At, second[1].SentAt);
        var counts = await store.CountFactsAsync(Tenant, "cmp_1");
        Assert.Equal((1, 1, 1), (counts.Pending, counts.Skipped, counts.Sent));
    }

    [Fact]
    public async Task Recording_sends_changes_only_pending_facts_of_that_campaign_and_tenant()
    {
        using var dir = new TempDirectory();
        var store = await StoreAsync(dir);
        var other = TenantId.Parse("other");
        await store.ClaimAsync(Tenant, "cmp_1", [Pending("ct_a"), Pending("ct_b"), new DeliveryFact("ct_c", ChannelKind.Sms, "+12015550103", DeliveryStatus.Skipped, "opted out")]);
        await store.ClaimAsync(Tenant, "cmp_2", [Pending("ct_a")]);
        await store.ClaimAsync(other, "cmp_1", [Pending("ct_a")]);

        await store.RecordSendsAsync(Tenant, "cmp_1",
        [
            new SendOutcome("ct_a", true, "msg-a", null, At),
            new SendOutcome("ct_b", false, null, "refused: bad number", At),
            new SendOutcome("ct_c", true, "msg-c", null, At),
            new SendOutcome("ct_unknown", true, "msg-x", null, At),
        ]);
        await store.RecordSendsAsync(Tenant, "cmp_1", [new SendOutcome("ct_a", true, "msg-a-again", null, At.AddMinutes(1))]);

        var facts = new List<DeliveryFact>();
        await foreach (var fact in store.ReadFactsAsync(Tenant, "cmp_1", TestContext.Current.CancellationToken))
        {
            facts.Add(fact);
        }

        Assert.Equal(
            [
                ("ct_a", DeliveryStatus.Sent, "msg-a", (string?)null, (DateTimeOffset?)At),
                ("ct_b", DeliveryStatus.Failed, null, "refused: bad number", At),
                ("ct_c", DeliveryStatus.Skipped, null, "opted out", null),
            ],
            facts.Select(f => (f.ContactId, f.Status, f.MessageId, f.Reason, f.SentAt)));
        Assert.Equal(1, (await store.CountFactsAsync(Tenant, "cmp_2")).Pending);
        Assert.Equal(1, (await store.CountFactsAsync(other, "cmp_1")).Pending);
        var delivered = await store.RecordDeliveryAsync(Tenant, "cmp_1", "ct_a", "msg-a", true, null, At.AddMinutes(2));
        Assert.Equal(("ct_a", DeliveryStatus.Delivered), (delivered!.ContactId, delivered.Status));
    }

    [Fact]
    public async Task A_delivery_report_changes_only_the_fact_its_reference_and_message_id_name_once_it_left()
    {
        using var dir = new TempDirectory();
        var store = await StoreAsync(dir);
        var other = TenantId.Parse("other");
        await store.ClaimAsync(Tenant, "cmp_1", [Pending("ct_a"), Pending("ct_b"), Pending("ct_c")]);
        await store.ClaimAsync(other, "cmp_1", [Pending("ct_a")]);
        await store.RecordSendsAsync(Tenant, "cmp_1", [new SendOutcome("ct_a", true, "msg-a", null, At), new SendOutcome("ct_b", true, "msg-b", null, At)]);
        await store.RecordSendsAsync(other, "cmp_1", [new SendOutcome("ct_a", true, "msg-a", null, At)]);

        // Not this fact's message id, another tenant's, a contact with no fact, a message that never left.
        Assert.Null(await store.RecordDeliveryAsync(Tenant, "cmp_1", "ct_a", "msg-b", true, null, At.AddMinutes(1)));
        Assert.Null(await store.RecordDeliveryAsync(TenantId.Parse("third"), "cmp_1", "ct_a", "msg-a", true, null, At.AddMinutes(1)));
        Assert.Null(await store.RecordDeliveryAsync(Tenant, "cmp_2", "ct_a", "msg-a", true, null, At.AddMinutes(1)));
        Assert.Null(await store.RecordDeliveryAsync(Tenant, "cmp_1", "ct_c", "msg-c", true, null, At.AddMinutes(1)));

        var failed = await store.RecordDeliveryAsync(Tenant, "cmp_1", "ct_b", "msg-b", false, null, At.AddMinutes(1));
        Assert.Equal((DeliveryStatus.Failed, "carrier reported failure"), (failed!.Status, failed.Reason));
        var delivered = await store.RecordDeliveryAsync(Tenant, "cmp_1", "ct_a", "msg-a", true, null, At.AddMinutes(2));
        Assert.Equal((DeliveryStatus.Delivered, (DateTimeOffset?)At.AddMinutes(2)), (delivered!.Status, delivered.DeliveredAt));

        // A repeated report changes nothing, and the other tenant's fact with the same key and id is untouched.
        Assert.Null(await store.RecordDeliveryAsync(Tenant, "cmp_1", "ct_a", "msg-a", true, null, At.AddMinutes(3)));
        var counts = await store.CountFactsAsync(Tenant, "cmp_1");
        Assert.Equal((1, 1, 1), (counts.Delivered, counts.Failed, counts.Pending));
        Assert.Equal(1, (await store.CountFactsAsync(other, "cmp_1")).Sent);
    }

    [Fact]
    public async Task A_page_written_once_stores_each_fact_final_and_keeps_a_fact_that_already_existed()
    {
        using var dir = new TempDirectory();
        var store = await StoreAsync(dir);
        await store.ClaimAsync(Tenant, "cmp_1", [Pending("ct_d")]);
        var opening = At.AddHours(14);

        await store.InsertFactsAsync(Tenant, "cmp_1",
        [
            new NewFact("ct_a", ChannelKind.Sms, "+12015550101", DeliveryStatus.Sent, MessageId: "msg-a", SentAt: At),
            new NewFact("ct_b", ChannelKind.Sms, "+12015550102", DeliveryStatus.Failed, "refused: bad number", SentAt: At),
            new NewFact("ct_c", ChannelKind.Sms, null, DeliveryStatus.Skipped, "no address"),
            new NewFact("ct_d", ChannelKind.Sms, "+12015550104", DeliveryStatus.Sent, MessageId: "msg-d", SentAt: At),
            new NewFact("ct_e", ChannelKind.Sms, "+12015550105", DeliveryStatus.Waiting, WaitUntil: opening),
        ]);

        var facts = new List<DeliveryFact>();
        await foreach (var fact in store.ReadFactsAsync(Tenant, "cmp_1", TestContext.Current.CancellationToken))
        {
            facts.Add(fact);
        }

        Assert.Equal(
            [
                ("ct_a", DeliveryStatus.Sent, (string?)null, (string?)"msg-a", (DateTimeOffset?)At),
                ("ct_b", DeliveryStatus.Failed, "refused: bad number", null, At),
                ("ct_c", DeliveryStatus.Skipped, "no address", null, null),
                ("ct_d", DeliveryStatus.Pending, null, null, null),
                ("ct_e", DeliveryStatus.Waiting, null, null, null),
            ],
            facts.Select(f => (f.ContactId, f.Status, f.Reason, f.MessageId, f.SentAt)));

        // The waiting fact is held like one the claim path holds: it comes back when its window opens
        // (ct_d, still pending from its claim, is due all along).
        Assert.Equal(opening, await store.NextWaitAsync(Tenant, "cmp_1"));
        Assert.Equal(["ct_d"], (await store.ReleaseDueAsync(Tenant, "cmp_1", opening.AddMinutes(-1), 10)).Select(f => f.ContactId));
        Assert.Equal(["ct_d", "ct_e"], (await store.ReleaseDueAsync(Tenant, "cmp_1", opening, 10)).Select(f => f.ContactId));

        // A delivery report finds a message written this way.
        Assert.Equal("ct_a", (await store.RecordDeliveryAsync(Tenant, "cmp_1", "ct_a", "msg-a", true, null, At.AddMinutes(1)))?.ContactId);
    }

    [Fact]
    public async Task A_page_written_once_whose_insert_fails_part_way_leaves_none_of_its_facts()
    {
        using var dir = new TempDirectory();
        var store = await StoreAsync(dir);

        // The third row breaks a constraint after two rows went in: the page is one transaction, so a retry
        // (the grain's unrecorded write) finds nothing half-written.
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => store.InsertFactsAsync(Tenant, "cmp_1",
        [
            new NewFact("ct_a", ChannelKind.Sms, "+12015550101", DeliveryStatus.Sent, MessageId: "msg-a", SentAt: At),
            new NewFact("ct_b", ChannelKind.Sms, "+12015550102", DeliveryStatus.Sent, MessageId: "msg-b", SentAt: At),
            new NewFact(null!, ChannelKind.Sms, "+12015550103", DeliveryStatus.Sent, MessageId: "msg-c", SentAt: At),
        ]));
        Assert.Equal(0, (await store.CountFactsAsync(Tenant, "cmp_1")).Sent);

        await store.InsertFactsAsync(Tenant, "cmp_1",
        [
            new NewFact("ct_a", ChannelKind.Sms, "+12015550101", DeliveryStatus.Sent, MessageId: "msg-a", SentAt: At),
            new NewFact("ct_b", ChannelKind.Sms, "+12015550102", DeliveryStatus.Sent, MessageId: "msg-b", SentAt: At),
        ]);
        Assert.Equal(2, (await store.CountFactsAsync(Tenant, "cmp_1")).Sent);
        Assert.Equal("ct_b", (await store.RecordDeliveryAsync(Tenant, "cmp_1", "ct_b", "msg-b", true, null, At.AddMinutes(1)))?.ContactId);
    }

    [Fact]
    public async Task The_last_fact_after_a_cursor_is_the_highest_contact_id_of_that_campaign_and_tenant()
    {
        using var dir = new TempDirectory();
        var store = await StoreAsync(dir);
        await store.ClaimAsync(Tenant, "cmp_1", [Pending("ct_a"), Pending("ct_c"), Pending("ct_b")]);
        await store.ClaimAsync(Tenant, "cmp_2", [Pending("ct_z")]);
        await store.ClaimAsync(TenantId.Parse("other"), "cmp_1", [Pending("ct_y")]);

        Assert.Equal("ct_c", await store.LastFactAfterAsync(Tenant, "cmp_1", null));
        Assert.Equal("ct_c", await store.LastFactAfterAsync(Tenant, "cmp_1", "ct_b"));
        Assert.Null(await store.LastFactAfterAsync(Tenant, "cmp_1", "ct_c"));
        Assert.Null(await store.LastFactAfterAsync(Tenant, "cmp_3", null));
    }
}
