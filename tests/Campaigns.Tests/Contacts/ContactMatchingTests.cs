using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Storage;
using Campaigns.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Campaigns.Tests.Contacts;

/// <summary>How an import matches rows to contacts, what it records per contact, and the contact state imports and carriers change.</summary>
public sealed class ContactMatchingTests : ContactStoreHost
{
    private static readonly TenantId Tenant = TenantId.Parse("matching");

    private async Task<ImportResult> ImportAsync(string csv, string? label = null)
    {
        var result = await ImportAsync(Tenant, csv, label);
        Assert.Empty(result.Errors);
        return result;
    }

    private async Task<IReadOnlyList<Contact>> Subset(string importId, ImportSubset subset) =>
        await Store.GetImportContactsAsync(Tenant, importId, subset, null, 100, Ct);

    private async Task<Contact> OnlyContact(string importId) => Assert.Single(await Subset(importId, ImportSubset.All));

    [Fact]
    public async Task External_id_wins_over_phone_and_a_new_phone_marks_the_contact_updated_phone()
    {
        var first = await ImportAsync("phone,first_name,last_name,external_id\n2015550101,Ada,Lovelace,s-1\n2015550102,Grace,Hopper,\n");
        var ada = (await Subset(first.ImportId, ImportSubset.All)).Single(c => c.FirstName == "Ada");

        var second = await ImportAsync("phone,first_name,last_name,external_id\n2015550102,Ada,King,s-1\n");

        Assert.Equal((0, 1, 0), (second.Created, second.Updated, second.Skipped));
        var updated = Assert.Single(await Subset(second.ImportId, ImportSubset.UpdatedPhone));
        Assert.Equal((ada.ContactId, "+12015550102", "King"), (updated.ContactId, updated.Phone, updated.LastName));
    }

    [Fact]
    public async Task A_row_with_another_external_id_is_another_person_even_on_the_same_phone()
    {
        var first = await ImportAsync("phone,first_name,last_name,external_id\n2015550101,Ada,Lovelace,s-1\n");
        var second = await ImportAsync("phone,first_name,last_name,external_id\n2015550101,Byron,Lovelace,s-2\n");

        Assert.Equal((1, 0, 0), (second.Created, second.Updated, second.Skipped));
        Assert.NotEqual((await OnlyContact(first.ImportId)).ContactId, (await OnlyContact(second.ImportId)).ContactId);
        Assert.Equal("s-1", (await OnlyContact(first.ImportId)).ExternalId);
    }

    [Fact]
    public async Task A_row_matches_by_email_when_nothing_else_matches_and_gains_the_phone()
    {
        var first = await ImportAsync("phone,first_name,last_name,email\n,Ada,Lovelace,ada@example.org\n");
        var second = await ImportAsync("phone,first_name,last_name,email\n2015550101,,,ADA@example.org\n");

        var contact = Assert.Single(await Subset(second.ImportId, ImportSubset.UpdatedPhone));
        Assert.Equal((await OnlyContact(first.ImportId)).ContactId, contact.ContactId);
        Assert.Equal(("Ada", "Lovelace", "+12015550101"), (contact.FirstName, contact.LastName, contact.Phone));
    }

    [Fact]
    public async Task Each_import_records_which_contacts_it_created_updated_and_whose_phone_changed()
    {
        await ImportAsync("phone,first_name,last_name,external_id\n2015550101,Ada,L,s-1\n2015550102,Grace,H,s-2\n");

        var second = await ImportAsync("phone,first_name,last_name,external_id\n2015550101,Ada,L,s-1\n2015550109,Grace,H,s-2\n2015550103,Alan,T,s-3\n");

        static string[] Names(IReadOnlyList<Contact> contacts) => [.. contacts.Select(c => c.FirstName).Order(StringComparer.Ordinal)];
        Assert.Equal((1, 2, 0), (second.Created, second.Updated, second.Skipped));
        Assert.Equal(["Ada", "Alan", "Grace"], Names(await Subset(second.ImportId, ImportSubset.All)));
        Assert.Equal(["Alan"], Names(await Subset(second.ImportId, ImportSubset.Created)));
        Assert.Equal(["Ada", "Grace"], Names(await Subset(second.ImportId, ImportSubset.Updated)));
        Assert.Equal(["Grace"], Names(await Subset(second.ImportId, ImportSubset.UpdatedPhone)));
    }

    [Fact]
    public async Task Import_labels_are_recorded_on_the_import_and_added_once_to_each_contact()
    {
        var fall = await ImportAsync("phone,first_name,last_name\n2015550101,Ada,L\n", "fall 2026");
        await ImportAsync("phone,first_name,last_name\n2015550101,Ada,L\n", "athletes");
        var again = await ImportAsync("phone,first_name,last_name\n2015550101,Ada,L\n2015550102,Grace,H\n", "fall 2026");

        Assert.Equal(["fall 2026", "athletes"], (await OnlyContact(fall.ImportId)).Labels);
        var summary = await Store.GetImportAsync(Tenant, again.ImportId, Ct);
        Assert.Equal(new ImportSummary(again.ImportId, "fall 2026", CampaignsTestCluster.Epoch, 1, 1, 0), summary);
        Assert.Null(await Store.GetImportAsync(TenantId.Parse("someone-else"), again.ImportId, Ct));
    }

    [Fact]
    public async Task A_stored_contact_matched_in_one_batch_is_a_duplicate_when_a_later_batch_matches_it_again()
    {
        var first = await ImportAsync("phone,first_name,last_name,email\n2015550101,Ada,Lovelace,ada@example.org\n");
        var ada = await OnlyContact(first.ImportId);

        // Line 2 updates Ada by phone; the same person comes back by email more than a batch later.
        var csv = new System.Text.StringBuilder("phone,first_name,last_name,email\n2015550101,Ada,King,\n");
        for (var i = 0; i < ContactImporter.BatchSize + 10; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"+1202555{i:0000},Student,{i},\n");
        }

        csv.Append(",Ada,Byron,ADA@example.org\n");
        var result = await ImportAsync(Tenant, csv.ToString());

        Assert.Equal((ContactImporter.BatchSize + 10, 1, 1), (result.Created, result.Updated, result.Skipped));
        Assert.Equal([new ImportRowError(ContactImporter.BatchSize + 13, null, "Duplicate of line 2: the same contact appears twice in this file; this row was skipped.")], result.Errors);
        var updated = Assert.Single(await Subset(result.ImportId, ImportSubset.Updated));
        Assert.Equal((ada.ContactId, "King"), (updated.ContactId, updated.LastName));
    }

    [Fact]
    public async Task When_several_contacts_share_a_phone_a_row_updates_the_one_with_the_lowest_id()
    {
        var ada = await OnlyContact((await ImportAsync("phone,first_name,last_name,external_id\n2015550101,Ada,L,s-1\n")).ImportId);
        var byron = await OnlyContact((await ImportAsync("phone,first_name,last_name,external_id\n2015550101,Byron,L,s-2\n")).ImportId);

        var result = await ImportAsync("phone,first_name,last_name\n2015550101,,Updated\n");

        // Ids are time-ordered: the contact made first has the lowest.
        Assert.True(string.CompareOrdinal(ada.ContactId, byron.ContactId) < 0);
        Assert.Equal((0, 1), (result.Created, result.Updated));
        Assert.Equal((ada.ContactId, "Updated"), ((await OnlyContact(result.ImportId)).ContactId, (await OnlyContact(result.ImportId)).LastName));
        Assert.Equal("L", (await Store.GetContactAsync(Tenant, byron.ContactId, Ct))!.LastName);
    }

    [Fact]
    public async Task Consecutive_carrier_failures_flag_the_phone_and_a_delivery_resets_the_count()
    {
        var import = await ImportAsync("phone,first_name,last_name\n2015550101,Ada,L\n");
        var id = (await OnlyContact(import.ImportId)).ContactId;

        Task<Contact?> Report(bool delivered, string phone = "+12015550101") => Store.RecordPhoneDeliveryAsync(Tenant, id, phone, delivered, 3, Ct);

        await Report(false);
        var two = await Report(false);
        Assert.Equal((2, false), (two!.ConsecutiveFailures, two.InvalidPhone));
        var reset = await Report(true);
        Assert.Equal((0, false), (reset!.ConsecutiveFailures, reset.InvalidPhone));
        await Report(false);
        await Report(false);
        var third = await Report(false);
        Assert.Equal((3, true), (third!.ConsecutiveFailures, third.InvalidPhone));

        // A late report about a number the contact no longer has changes nothing.
        Assert.Null(await Report(false, "+12015550199"));
    }

    [Fact]
    public async Task An_invalid_phone_stays_flagged_through_an_import_of_the_same_number_and_clears_with_a_new_one()
    {
        var import = await ImportAsync("phone,first_name,last_name,external_id\n2015550101,Ada,L,s-1\n");
        var id = (await OnlyContact(import.ImportId)).ContactId;
        for (var i = 0; i < 3; i++)
        {
            await Store.RecordPhoneDeliveryAsync(Tenant, id, "+12015550101", false, 3, Ct);
        }

        var same = await ImportAsync("phone,first_name,last_name,external_id\n(201) 555-0101,Ada,L,s-1\n");
        Assert.True((await OnlyContact(same.ImportId)).InvalidPhone);

        var changed = await ImportAsync("phone,first_name,last_name,external_id\n2015550188,Ada,L,s-1\n");
        var contact = await OnlyContact(changed.ImportId);
        Assert.Equal((false, 0, "+12015550188"), (contact.InvalidPhone, contact.ConsecutiveFailures, contact.Phone));
    }

    [Fact]
    public async Task A_contact_can_be_archived_and_brought_back()
    {
        var import = await ImportAsync("phone,first_name,last_name\n2015550101,Ada,L\n");
        var id = (await OnlyContact(import.ImportId)).ContactId;

        Assert.True(await Store.SetArchivedAsync(Tenant, id, true, Ct));
        Assert.True((await Store.GetContactAsync(Tenant, id, Ct))!.Archived);
        Assert.True(await Store.SetArchivedAsync(Tenant, id, false, Ct));
        Assert.False((await Store.GetContactAsync(Tenant, id, Ct))!.Archived);
        Assert.False(await Store.SetArchivedAsync(Tenant, "ct_missing", true, Ct));
        Assert.False(await Store.SetArchivedAsync(TenantId.Parse("someone-else"), id, true, Ct));
    }

    [Fact]
    public async Task A_timed_pause_reads_as_opted_in_once_its_time_passes_and_an_indefinite_one_never_does()
    {
        var import = await ImportAsync("phone,first_name,last_name,email\n2015550101,Ada,L,ada@example.org\n");
        var id = (await OnlyContact(import.ImportId)).ContactId;
        var until = CampaignsTestCluster.Epoch.AddDays(14);

        await Store.SetChannelStatusAsync(Tenant, id, ChannelKind.Sms, ChannelStatus.Paused, until, Ct);
        await Store.SetChannelStatusAsync(Tenant, id, ChannelKind.Email, ChannelStatus.Paused, null, Ct);
        var contact = (await Store.GetContactAsync(Tenant, id, Ct))!;

        Assert.Equal(until, contact.PausedUntilOn(ChannelKind.Sms));
        Assert.Null(contact.PausedUntilOn(ChannelKind.Email));
        Assert.Equal(ChannelStatus.Paused, contact.StatusOn(ChannelKind.Sms, until.AddTicks(-1)));
        Assert.Equal(ChannelStatus.OptedIn, contact.StatusOn(ChannelKind.Sms, until));
        Assert.Equal(ChannelStatus.Paused, contact.StatusOn(ChannelKind.Email, until.AddYears(10)));
        Assert.Equal(ChannelStatus.OptedIn, contact.StatusOn(ChannelKind.Webchat, until));
    }

    [Fact]
    public async Task A_store_file_from_before_the_contact_flags_gains_their_columns_and_keeps_its_contacts()
    {
        var path = Path.Combine(Folder, "old.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE contacts (tenant_id TEXT NOT NULL, contact_id TEXT NOT NULL, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
                  phone TEXT, email TEXT, time_zone TEXT, external_id TEXT, fields TEXT NOT NULL, labels TEXT NOT NULL, channels TEXT NOT NULL,
                  paused_until TEXT, PRIMARY KEY (tenant_id, contact_id)) WITHOUT ROWID;
                CREATE TABLE import_members (tenant_id TEXT NOT NULL, import_id TEXT NOT NULL, contact_id TEXT NOT NULL,
                  created INTEGER NOT NULL, phone_changed INTEGER NOT NULL, PRIMARY KEY (tenant_id, import_id, contact_id)) WITHOUT ROWID;
                INSERT INTO contacts VALUES ('matching', 'ct_old', 'Ada', 'L', '+12015550101', NULL, NULL, NULL, '{}', '[]', '{}', NULL);
                """;
            await command.ExecuteNonQueryAsync(Ct);
        }

        var store = new SqliteCampaignStore(path);
        await store.InitializeAsync(Ct);

        var contact = await store.GetContactAsync(Tenant, "ct_old", Ct);
        Assert.Equal(("Ada", false, false, 0), (contact!.FirstName, contact.Archived, contact.InvalidPhone, contact.ConsecutiveFailures));
        Assert.True(await store.SetArchivedAsync(Tenant, "ct_old", true, Ct));
    }
}
