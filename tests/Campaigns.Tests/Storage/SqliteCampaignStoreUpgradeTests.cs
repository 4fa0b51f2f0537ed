using Campaigns.Channels;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Storage;

public sealed class SqliteCampaignStoreUpgradeTests
{
    [Fact]
    public async Task A_file_that_kept_web_chat_sessions_as_a_custom_field_moves_them_to_their_own_column()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "campaigns.db");

        // The contacts table and session index as an earlier version created them.
        await using (var old = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await old.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE contacts (
                    tenant_id TEXT NOT NULL, contact_id TEXT NOT NULL,
                    first_name TEXT NOT NULL, last_name TEXT NOT NULL, phone TEXT, email TEXT, time_zone TEXT, external_id TEXT,
                    fields TEXT NOT NULL, labels TEXT NOT NULL, channels TEXT NOT NULL, paused_until TEXT,
                    PRIMARY KEY (tenant_id, contact_id)) WITHOUT ROWID;
                CREATE INDEX contacts_webchat ON contacts (tenant_id, json_extract(fields, '$.webchatSession'));
                INSERT INTO contacts VALUES ('t1', 'ct_chat', '', '', NULL, NULL, NULL, NULL, '{"webchatSession":"ws_abc","major":"Maths"}', '[]', '{}', NULL);
                INSERT INTO contacts VALUES ('t1', 'ct_sms', 'Ada', 'Lovelace', '+12025550143', NULL, NULL, NULL, '{"major":"CS"}', '[]', '{}', NULL);
                """;
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var store = new SqliteCampaignStore(path);
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        var tenant = TenantId.Parse("t1");

        var chat = await store.FindContactByAddressAsync(tenant, ChannelKind.Webchat, "ws_abc", TestContext.Current.CancellationToken);
        Assert.NotNull(chat);
        Assert.Equal(("ct_chat", "ws_abc"), (chat.ContactId, chat.AddressOn(ChannelKind.Webchat)));
        Assert.Equal(new Dictionary<string, string> { ["major"] = "Maths" }, chat.Fields);
        Assert.Null((await store.GetContactAsync(tenant, "ct_sms", TestContext.Current.CancellationToken))!.WebchatSession);

        await using var check = new SqliteConnection($"Data Source={path};Pooling=false");
        await check.OpenAsync(TestContext.Current.CancellationToken);
        await using var indexes = check.CreateCommand();
        indexes.CommandText = "SELECT group_concat(name) FROM pragma_index_list('contacts') WHERE name LIKE 'contacts_webchat%'";
        Assert.Equal("contacts_webchat_session", await indexes.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task A_file_with_the_old_message_id_index_loses_it_and_its_facts_still_take_delivery_reports()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "campaigns.db");
        var tenant = TenantId.Parse("t1");
        var store = new SqliteCampaignStore(path);
        await store.InitializeAsync(TestContext.Current.CancellationToken);
        await store.ClaimAsync(tenant, "cmp_1", [new DeliveryFact("ct_a", ChannelKind.Sms, "+12025550143", DeliveryStatus.Pending)], TestContext.Current.CancellationToken);
        await store.RecordSendsAsync(tenant, "cmp_1", [new SendOutcome("ct_a", true, "msg-a", null, DateTimeOffset.UnixEpoch)], TestContext.Current.CancellationToken);

        // The index of message ids an earlier version kept, maintained at every commit of a fan-out page.
        await using (var old = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await old.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = old.CreateCommand();
            create.CommandText = "CREATE INDEX delivery_facts_message ON delivery_facts (tenant_id, message_id) WHERE message_id IS NOT NULL";
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        store = new SqliteCampaignStore(path);
        await store.InitializeAsync(TestContext.Current.CancellationToken);

        await using var check = new SqliteConnection($"Data Source={path};Pooling=false");
        await check.OpenAsync(TestContext.Current.CancellationToken);
        await using var indexes = check.CreateCommand();
        indexes.CommandText = "SELECT count(*) FROM pragma_index_list('delivery_facts') WHERE name = 'delivery_facts_message'";
        Assert.Equal(0L, await indexes.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        var delivered = await store.RecordDeliveryAsync(tenant, "cmp_1", "ct_a", "msg-a", true, null, DateTimeOffset.UnixEpoch.AddMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(DeliveryStatus.Delivered, delivered?.Status);
        SqliteConnection.ClearAllPools();
    }
}
