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
}
