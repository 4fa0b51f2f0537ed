using System.Text;
using Campaigns.Contacts;
using Campaigns.Storage;
using Campaigns.Validation;

namespace Campaigns.Tests.Contacts;

public sealed class ContactImporterTests : ContactStoreHost
{
    private static readonly TenantId Tenant = TenantId.Parse("importer");
    private Task<ImportResult> ImportAsync(string csv, string? label = null) => ImportAsync(Tenant, csv, label);

    private Task<ImportResult> ImportAsync(byte[] bytes, string? label = null) => ImportAsync(Tenant, bytes, label);

    [Fact]
    public async Task Imports_good_rows_with_normalised_phones_emails_and_custom_fields()
    {
        var result = await ImportAsync("\uFEFFPhone,First_Name,LAST_NAME,Email,time_zone,external_id,Major\r\n(201) 555-0101,Ada,Lovelace,Ada@Example.org,Europe/London,s-1,Mathematics\r\n+1 201 555 0102,Grace,Hopper,,,,\r\n", "spring");

        Assert.Equal((2, 0, 0), (result.Created, result.Updated, result.Skipped));
        Assert.Empty(result.Errors);
        var ada = (await Store.GetImportContactsAsync(Tenant, result.ImportId, ImportSubset.All, null, 10, Ct)).Single(c => c.FirstName == "Ada");
        Assert.Equal(("+12015550101", "ada@example.org", "Europe/London", "s-1"), (ada.Phone, ada.Email, ada.TimeZone, ada.ExternalId));
        Assert.Equal(new Dictionary<string, string> { ["major"] = "Mathematics" }, ada.Fields);
        Assert.Equal(["spring"], ada.Labels);
    }

    [Fact]
    public async Task A_second_import_updates_the_contact_with_the_same_phone()
    {
        var first = await ImportAsync("phone,first_name,last_name\n2015550101,Ada,Lovelace\n");
        var second = await ImportAsync("phone,first_name,last_name,email\n201-555-0101,,King,ada@example.org\n");

        Assert.Equal((0, 1, 0), (second.Created, second.Updated, second.Skipped));
        var before = Assert.Single(await Store.GetImportContactsAsync(Tenant, first.ImportId, ImportSubset.All, null, 10, Ct));
        var after = Assert.Single(await Store.GetImportContactsAsync(Tenant, second.ImportId, ImportSubset.Updated, null, 10, Ct));
        Assert.Equal(before.ContactId, after.ContactId);
        Assert.Equal(("Ada", "King", "ada@example.org"), (after.FirstName, after.LastName, after.Email));
        Assert.Empty(await Store.GetImportContactsAsync(Tenant, second.ImportId, ImportSubset.Created, null, 10, Ct));
    }

    [Fact]
    public async Task A_header_without_required_columns_is_refused_naming_every_problem_and_imports_nothing()
    {
        var ex = await Assert.ThrowsAsync<CampaignsValidationException>(() => ImportAsync("Phone,email,email,\n2015550101,a@example.org,b@example.org,x\n"));

        Assert.Equal(["header"], ex.Errors.Keys);
        Assert.Equal(
            [
                "The required column 'first_name' is missing.",
                "The required column 'last_name' is missing.",
                "The column 'email' appears more than once.",
                "A column has no name.",
            ],
            ex.Errors["header"]);
        Assert.Equal((0, 0, 0), await CountRowsAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    public async Task An_empty_file_is_refused_and_imports_nothing(string content)
    {
        var ex = await Assert.ThrowsAsync<CampaignsValidationException>(() => ImportAsync(content));

        Assert.Equal(["file"], ex.Errors.Keys);
        Assert.Equal(["The file is empty: a header row with phone, first_name and last_name is required."], ex.Errors["file"]);
        Assert.Equal((0, 0, 0), await CountRowsAsync());
    }

    [Fact]
    public async Task Bad_rows_are_reported_with_line_column_and_message_and_good_rows_land()
    {
        var longName = new string('x', 10_000);
        var csv = string.Join("\n",
            "phone,first_name,last_name,email",
            "2015550101,Ada,Lovelace,ada@example.org",        // 2: good
            "12345,Bad,Phone,",                               // 3: invalid phone
            "2015550102,Bad,Email,not-an-email",              // 4: bad email
            "2015550101,Ada,Again,",                          // 5: duplicate of line 2
            $"2015550103,{longName},Long,",                   // 6: 10,000 characters
            "2015550104,Too,Few",                             // 7: wrong field count
            "2015550105,\"Multi",                             // 8-9: one record over two physical lines
            "line\",Name,",
            "2015550106,Bad,Both,@nope",                      // 10: still counted physically
            ",No,Address,",                                   // 11: nothing to identify the contact
            "2015550107,Grace,Hopper,grace@example.org",      // 12: good
            "");

        var result = await ImportAsync(csv);

        Assert.Equal((3, 0, 7), (result.Created, result.Updated, result.Skipped));
        Assert.Equal(
            [
                new ImportRowError(3, "phone", "'12345' is not a valid phone number."),
                new ImportRowError(4, "email", "'not-an-email' is not a valid email address."),
                new ImportRowError(5, null, "Duplicate of line 2: the same contact appears twice in this file; this row was skipped."),
                new ImportRowError(6, "first_name", "Value is 10000 characters long; at most 1000 are allowed."),
                new ImportRowError(7, null, "Row has 3 fields; the header has 4."),
                new ImportRowError(10, "email", "'@nope' is not a valid email address."),
                new ImportRowError(11, null, "Row has no phone, email or external_id, so the contact cannot be identified or reached."),
            ],
            result.Errors);
        Assert.Equal((3L, 1L, 3L), await CountRowsAsync());
    }

    [Fact]
    public async Task Latin1_bytes_are_reported_as_not_utf8()
    {
        var bytes = Encoding.Latin1.GetBytes("phone,first_name,last_name\n2015550101,Jos\u00e9,Garc\u00eda\n2015550102,Ana,Ruiz\n");

        var result = await ImportAsync(bytes);

        Assert.Equal((1, 0, 1), (result.Created, result.Updated, result.Skipped));
        Assert.Equal(
            [
                new ImportRowError(2, "first_name", "Value is not valid UTF-8 (save the file as UTF-8)."),
                new ImportRowError(2, "last_name", "Value is not valid UTF-8 (save the file as UTF-8)."),
            ],
            result.Errors);
    }

    [Fact]
    public async Task A_landline_is_refused_as_unable_to_take_texts()
    {
        // A UK geographic (fixed line) number: valid, but SMS cannot reach it.
        var result = await ImportAsync("phone,first_name,last_name\n+44 20 7946 0018,Fixed,Line\n");

        Assert.Equal(
            [new ImportRowError(2, "phone", "'+44 20 7946 0018' is a fixed line number and cannot receive text messages.")],
            result.Errors);
    }

    [Fact]
    public async Task Rows_far_apart_in_a_large_file_still_see_each_other()
    {
        // More rows than the store writes at once: a late duplicate must still find the early row.
        var csv = new StringBuilder("phone,first_name,last_name,email\n");
        for (var i = 0; i < 1200; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"+1201555{i:0000},Student,{i},s{i}@example.edu\n");
        }

        csv.Append("+12025550199,Late,Duplicate,s3@example.edu\n");
        var result = await ImportAsync(csv.ToString());

        Assert.Equal((1200, 0, 1), (result.Created, result.Updated, result.Skipped));
        Assert.Equal([new ImportRowError(1202, null, "Duplicate of line 5: the same contact appears twice in this file; this row was skipped.")], result.Errors);
        Assert.Equal((1200L, 1L, 1200L), await CountRowsAsync());
        var all = await Store.GetImportContactsAsync(Tenant, result.ImportId, ImportSubset.All, null, 2000, Ct);
        Assert.Equal(1200, all.Select(c => c.Phone).Distinct().Count());
    }

    [Fact]
    public async Task A_row_with_a_phone_an_earlier_row_moved_away_creates_a_new_contact()
    {
        await ImportAsync("phone,first_name,last_name,email\n2015550101,Ada,Lovelace,ada@example.org\n");

        // Line 2 finds Ada by email and moves her to a new phone; line 3 has her old phone and no email.
        var result = await ImportAsync("phone,first_name,last_name,email\n2015550177,Ada,Lovelace,ada@example.org\n2015550101,Grace,Hopper,\n");

        Assert.Equal((1, 1, 0), (result.Created, result.Updated, result.Skipped));
        var created = Assert.Single(await Store.GetImportContactsAsync(Tenant, result.ImportId, ImportSubset.Created, null, 10, Ct));
        var moved = Assert.Single(await Store.GetImportContactsAsync(Tenant, result.ImportId, ImportSubset.UpdatedPhone, null, 10, Ct));
        Assert.Equal(("Grace", "+12015550101"), (created.FirstName, created.Phone));
        Assert.Equal(("Ada", "+12015550177"), (moved.FirstName, moved.Phone));
    }
}
