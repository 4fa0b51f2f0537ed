using System.Text;
using Campaigns.Contacts;
using Campaigns.Storage;
using Campaigns.Validation;

namespace Campaigns.Tests.Contacts;

/// <summary>
/// A corpus of malformed and hostile CSV files. Each row-level case names the exact errors and what
/// landed; each refused file names the exact header or file error and leaves the store untouched.
/// </summary>
public sealed class ContactImportCorpusTests : ContactStoreHost
{
    private static readonly TenantId Tenant = TenantId.Parse("corpus");
    private const string Header = "phone,first_name,last_name,email,time_zone,external_id,notes";
    private const string Good = "2015550199,Good,Row,good@example.org,,,";

    /// <summary>A file that imports with per-row errors: the rows after the header, the counts and the exact errors.</summary>
    private sealed record RowCase(byte[] File, (int Created, int Updated, int Skipped) Counts, ImportRowError[] Errors);

    private static byte[] Utf8(params string[] rows) => Encoding.UTF8.GetBytes(string.Join("\n", [Header, .. rows, ""]));

    private static ImportRowError E(int line, string? column, string message) => new(line, column, message);

    private static readonly string TenThousand = new('x', 10_000);

    private static readonly Dictionary<string, RowCase> RowCases = new()
    {
        ["phone too short"] = new(Utf8("12345,Ada,L,,,,", Good), (1, 0, 1), [E(2, "phone", "'12345' is not a valid phone number.")]),
        ["phone of letters"] = new(Utf8("call me,Ada,L,,,,", Good), (1, 0, 1), [E(2, "phone", "'call me' is not a valid phone number.")]),
        ["landline"] = new(Utf8("+44 20 7946 0018,Ada,L,,,,", Good), (1, 0, 1), [E(2, "phone", "'+44 20 7946 0018' is a fixed line number and cannot receive text messages.")]),
        ["toll free"] = new(Utf8("+1 800 253 0000,Ada,L,,,,", Good), (1, 0, 1), [E(2, "phone", "'+1 800 253 0000' is a toll free number and cannot receive text messages.")]),
        ["national number of another region"] = new(Utf8("020 7946 0018,Ada,L,,,,", Good), (1, 0, 1), [E(2, "phone", "'020 7946 0018' is not a valid phone number.")]),
        ["email without at"] = new(Utf8("2015550101,Ada,L,not-an-email,,,", Good), (1, 0, 1), [E(2, "email", "'not-an-email' is not a valid email address.")]),
        ["email with display name"] = new(Utf8("2015550101,Ada,L,Ada <ada@example.org>,,,", Good), (1, 0, 1), [E(2, "email", "'Ada <ada@example.org>' is not a valid email address.")]),
        ["email without domain dot"] = new(Utf8("2015550101,Ada,L,ada@localhost,,,", Good), (1, 0, 1), [E(2, "email", "'ada@localhost' is not a valid email address.")]),
        ["email with two ats"] = new(Utf8("2015550101,Ada,L,ada@@example.org,,,", Good), (1, 0, 1), [E(2, "email", "'ada@@example.org' is not a valid email address.")]),
        ["unknown time zone"] = new(Utf8("2015550101,Ada,L,,Mars/Olympus,,", Good), (1, 0, 1), [E(2, "time_zone", "'Mars/Olympus' is not an IANA time zone.")]),
        ["windows time zone"] = new(Utf8("2015550101,Ada,L,,Eastern Standard Time,,", Good), (1, 0, 1), [E(2, "time_zone", "'Eastern Standard Time' is not an IANA time zone.")]),
        ["every problem of a row at once"] = new(Utf8("555,Ada,L,ada@,Nowhere/Land,,", Good), (1, 0, 1),
            [E(2, "phone", "'555' is not a valid phone number."), E(2, "email", "'ada@' is not a valid email address."), E(2, "time_zone", "'Nowhere/Land' is not an IANA time zone.")]),
        ["10,000 character name"] = new(Utf8($"2015550101,{TenThousand},L,,,,", Good), (1, 0, 1), [E(2, "first_name", "Value is 10000 characters long; at most 1000 are allowed.")]),
        ["10,000 character custom field"] = new(Utf8($"2015550101,Ada,L,,,,{TenThousand}", Good), (1, 0, 1), [E(2, "notes", "Value is 10000 characters long; at most 1000 are allowed.")]),
        ["latin-1 bytes"] = new(
            [.. Encoding.UTF8.GetBytes(Header + "\n"), .. Encoding.Latin1.GetBytes("2015550101,Jos\u00e9,Garc\u00eda,,,,\n"), .. Encoding.UTF8.GetBytes(Good + "\n")],
            (1, 0, 1),
            [E(2, "first_name", "Value is not valid UTF-8 (save the file as UTF-8)."), E(2, "last_name", "Value is not valid UTF-8 (save the file as UTF-8).")]),
        ["NUL byte"] = new(Utf8("2015550101,Ada\0,L,,,,", Good), (1, 0, 1), [E(2, "first_name", "Value contains the control character U+0000.")]),
        ["terminal escape sequence"] = new(Utf8("2015550101,\u001b[31mAda,L,,,,", Good), (1, 0, 1), [E(2, "first_name", "Value contains the control character U+001B.")]),
        ["too few fields"] = new(Utf8("2015550101,Ada,L", Good), (1, 0, 1), [E(2, null, "Row has 3 fields; the header has 7.")]),
        ["too many fields"] = new(Utf8("2015550101,Ada,L,,,,,extra", Good), (1, 0, 1), [E(2, null, "Row has 8 fields; the header has 7.")]),
        ["stray quote swallows the rest of the file"] = new(Utf8(Good, "2015550101,Ada,O\"Brien,,,,", "2015550102,Bob,Smith,,,,", "2015550103,Cy,Jones,,,,"), (1, 0, 1),
            [E(3, "last_name", "A quote appears inside a value that does not start with one: quote the whole value and double the quotes inside it (\"O\"\"Brien\"). The record runs over lines 3 to 5.")]),
        ["text after a closing quote"] = new(Utf8("2015550101,\"Ada\"x,L,,,,", Good), (1, 0, 1),
            [E(2, "first_name", "Text follows the closing quote of a quoted value: quote the whole value and double the quotes inside it.")]),
        ["quote never closed"] = new(Utf8(Good, "2015550101,Ada,L,,,,\"unfinished note"), (1, 0, 1),
            [E(3, "notes", "A quoted value is never closed: its closing quote is missing.")]),
        ["same phone written two ways"] = new(Utf8("(201) 555-0101,Ada,L,,,,", "+1 201 555 0101,Ada,Again,,,,"), (1, 0, 1),
            [E(3, null, "Duplicate of line 2: the same contact appears twice in this file; this row was skipped.")]),
        ["same external id twice"] = new(Utf8("2015550101,Ada,L,,,s-1,", "2015550102,Ada,L,,,s-1,"), (1, 0, 1),
            [E(3, null, "Duplicate of line 2: the same contact appears twice in this file; this row was skipped.")]),
        ["same email in another case"] = new(Utf8(",Ada,L,ada@example.org,,,", ",Ada,L,ADA@Example.ORG,,,"), (1, 0, 1),
            [E(3, null, "Duplicate of line 2: the same contact appears twice in this file; this row was skipped.")]),
        ["a row that identifies no one"] = new(Utf8(",Ada,L,,,,note", Good), (1, 0, 1),
            [E(2, null, "Row has no phone, email or external_id, so the contact cannot be identified or reached.")]),
        ["a row of empty fields"] = new(Utf8(",,,,,,", Good), (1, 0, 1),
            [E(2, null, "Row has no phone, email or external_id, so the contact cannot be identified or reached.")]),
        ["doubled quotes in a value that is not quoted"] = new(Utf8("2015550101,=HYPERLINK(\"\"http://x\"\"),+SUM(A1),,,-1+1,=1+1"), (0, 0, 1),
            [E(2, "first_name", "A quote appears inside a value that does not start with one: quote the whole value and double the quotes inside it (\"O\"\"Brien\").")]),
        ["blank and whitespace lines are no records"] = new(Utf8("", Good, "   ", "", "2015550101,Ada,L,,,,", ""), (2, 0, 0), []),
        ["header only"] = new(Utf8(), (0, 0, 0), []),
        ["old Mac line endings and a quoted line break"] = new(
            Encoding.UTF8.GetBytes(Header + "\r2015550101,Ada,L,,,,\"two\r\nlines\"\r" + Good + "\r"), (2, 0, 0), []),
    };

    public static TheoryData<string> RowCaseNames => new(RowCases.Keys);

    [Theory]
    [MemberData(nameof(RowCaseNames))]
    public async Task A_bad_row_is_reported_exactly_and_the_good_rows_land(string name)
    {
        var @case = RowCases[name];

        var result = await ImportAsync(Tenant, @case.File);

        Assert.Equal(@case.Errors, result.Errors);
        Assert.Equal(@case.Counts, (result.Created, result.Updated, result.Skipped));
        var landed = await Store.GetImportContactsAsync(Tenant, result.ImportId, ImportSubset.All, null, 100, Ct);
        Assert.Equal(@case.Counts.Created + @case.Counts.Updated, landed.Count);
        Assert.Equal((long)landed.Count, (await CountRowsAsync()).Contacts);
    }

    [Fact]
    public async Task Formula_looking_cells_are_stored_as_written()
    {
        var csv = Utf8("2015550101,\"=HYPERLINK(\"\"http://x\"\")\",+SUM(A1),,,-1+1,@cmd|' /C calc'!A0");

        var result = await ImportAsync(Tenant, csv);

        Assert.Empty(result.Errors);
        var contact = Assert.Single(await Store.GetImportContactsAsync(Tenant, result.ImportId, ImportSubset.All, null, 10, Ct));
        Assert.Equal(("=HYPERLINK(\"http://x\")", "+SUM(A1)", "-1+1"), (contact.FirstName, contact.LastName, contact.ExternalId));
        Assert.Equal("@cmd|' /C calc'!A0", contact.Fields["notes"]);
    }

    /// <summary>A file refused whole: the error key and its exact messages.</summary>
    private sealed record RefusedCase(byte[] File, string Key, string[] Messages);

    private static readonly string[] MissingAll =
    [
        "The required column 'phone' is missing.",
        "The required column 'first_name' is missing.",
        "The required column 'last_name' is missing.",
    ];

    private static readonly Dictionary<string, RefusedCase> RefusedCases = new()
    {
        ["empty file"] = new([], "file", ["The file is empty: a header row with phone, first_name and last_name is required."]),
        ["byte order mark only"] = new([0xEF, 0xBB, 0xBF], "file", ["The file is empty: a header row with phone, first_name and last_name is required."]),
        ["blank first line"] = new(Encoding.UTF8.GetBytes("\n" + Header + "\n" + Good + "\n"), "file", ["The file is empty: a header row with phone, first_name and last_name is required."]),
        ["no header, data straight away"] = new(Encoding.UTF8.GetBytes(Good + "\n"), "header", [.. MissingAll, "A column has no name."]),
        ["one required column missing"] = new(Encoding.UTF8.GetBytes("phone,first_name\n2015550101,Ada\n"), "header", ["The required column 'last_name' is missing."]),
        ["repeated column"] = new(Encoding.UTF8.GetBytes("phone,first_name,last_name,Phone\n2015550101,Ada,L,2015550102\n"), "header", ["The column 'phone' appears more than once."]),
        ["unnamed column"] = new(Encoding.UTF8.GetBytes("phone,first_name,last_name,\n2015550101,Ada,L,x\n"), "header", ["A column has no name."]),
        ["semicolon separated"] = new(Encoding.UTF8.GetBytes("phone;first_name;last_name\n2015550101;Ada;L\n"), "header",
            [.. MissingAll, "The header is a single column: columns must be separated by commas, not semicolons, tabs or bars."]),
        ["UTF-16 without byte order mark"] = new(Encoding.Unicode.GetBytes(Header + "\n" + Good + "\n"), "header", [.. MissingAll]),
        ["binary file"] = new([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D], "header", [.. MissingAll]),
        ["an open quote running to the end of a large file"] = new(
            Encoding.UTF8.GetBytes(Header + "\n" + Good + "\n2015550101,\"Ada,L,,,,\n" + string.Concat(Enumerable.Repeat("2015550102,Bob,Smith,,,,\n", 60_000))),
            "file", ["The record starting at line 3 runs past 1,000,000 characters: is a quote left open? Nothing was imported."]),
    };

    public static TheoryData<string> RefusedCaseNames => new(RefusedCases.Keys);

    [Theory]
    [MemberData(nameof(RefusedCaseNames))]
    public async Task A_refused_file_names_its_problem_and_imports_nothing(string name)
    {
        var @case = RefusedCases[name];

        var ex = await Assert.ThrowsAsync<CampaignsValidationException>(() => ImportAsync(Tenant, @case.File, "refused"));

        Assert.Equal([@case.Key], ex.Errors.Keys);
        Assert.Equal(@case.Messages, ex.Errors[@case.Key]);
        Assert.Equal((0L, 0L, 0L), await CountRowsAsync());
    }
}
