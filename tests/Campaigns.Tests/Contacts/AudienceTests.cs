using System.Text;
using Campaigns.Contacts;
using Campaigns.Tests.Support;
using Campaigns.Validation;

namespace Campaigns.Tests.Contacts;

/// <summary>Audience rules: validation naming every bad rule, and evaluation in the store over real contacts.</summary>
public sealed class AudienceTests : ContactStoreHost
{
    private static readonly TenantId Tenant = TenantId.Parse("audiences");
    private static readonly TenantId Other = TenantId.Parse("other-tenant");
    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        async Task Import(TenantId tenant, string csv, string? label) => Assert.Empty((await ImportAsync(tenant, csv, label)).Errors);

        const string Header = "phone,first_name,last_name,email,time_zone,cohort,major\n";
        await Import(Tenant, Header + "2015550101,Ada,Lovelace,ada@example.org,Europe/London,2027,Mathematics\n2015550102,Grace,Hopper,grace@navy.mil,America/New_York,2026,Computer Science\n", "Fall");
        await Import(Tenant, Header + "2015550103,Alan,Turing,,,2027,\n", "Athletes");
        await Import(Tenant, Header + ",\u00c9mile,Zola,emile@example.fr,,,Litt\u00e9rature\n", null);

        // Another tenant's contacts match the same rules and must never appear.
        await Import(Other, Header + "2015550101,Ada,Lovelace,ada@example.org,Europe/London,2027,Mathematics\n", "Fall");
    }

    private static Audience Build(params (string? Field, string? Op, string? Value)[] rules) =>
        AudienceValidator.Validate("aud_test", new AudienceDraft("Test", [.. rules.Select(r => new AudienceRuleDraft(r.Field, r.Op, r.Value))]), "US", CampaignsTestCluster.Epoch);

    private async Task<string[]> Members(params (string? Field, string? Op, string? Value)[] rules)
    {
        var audience = Build(rules);
        var contacts = await Store.GetAudienceContactsAsync(Tenant, audience.Rules, null, 100, Ct);
        Assert.Equal(contacts.Count, await Store.CountAudienceAsync(Tenant, audience.Rules, Ct));
        return [.. contacts.Select(c => c.FirstName).Order(StringComparer.Ordinal)];
    }

    public static TheoryData<string, string, string?, string[]> SingleRules => new()
    {
        { "firstName", "is", "ADA", ["Ada"] },
        { "lastName", "isNot", "hopper", ["Ada", "Alan", "\u00c9mile"] },
        { "email", "contains", "Example", ["Ada", "\u00c9mile"] },
        { "email", "exists", null, ["Ada", "Grace", "\u00c9mile"] },
        { "email", "notExists", null, ["Alan"] },
        { "phone", "is", "(201) 555-0102", ["Grace"] },
        { "phone", "isNot", "+1 201 555 0102", ["Ada", "Alan", "\u00c9mile"] },
        { "phone", "contains", "5550103", ["Alan"] },
        { "phone", "notExists", null, ["\u00c9mile"] },
        { "timeZone", "is", "europe/london", ["Ada"] },
        { "time_zone", "exists", null, ["Ada", "Grace"] },
        { "cohort", "is", "2027", ["Ada", "Alan"] },
        { "Major", "contains", "SCI", ["Grace"] },
        { "major", "is", "LITT\u00c9RATURE", ["\u00c9mile"] },
        { "major", "notExists", null, ["Alan"] },
        { "major", "isNot", "Mathematics", ["Alan", "Grace", "\u00c9mile"] },
        { "label", "is", "fall", ["Ada", "Grace"] },
        { "label", "isNot", "Fall", ["Alan", "\u00c9mile"] },
        { "label", "contains", "thlet", ["Alan"] },
        { "label", "exists", null, ["Ada", "Alan", "Grace"] },
        { "label", "notExists", null, ["\u00c9mile"] },
        { "nickname", "is", "x", [] },
        { "nickname", "notExists", null, ["Ada", "Alan", "Grace", "\u00c9mile"] },
    };

    [Theory]
    [MemberData(nameof(SingleRules))]
    public async Task Each_operator_selects_the_contacts_it_names(string field, string op, string? value, string[] expected)
    {
        Assert.Equal(expected, await Members((field, op, value)));
    }

    [Fact]
    public async Task Every_rule_must_hold()
    {
        Assert.Equal(["Ada"], await Members(("cohort", "is", "2027"), ("label", "is", "Fall")));
        Assert.Equal(["Ada", "Alan"], await Members(("cohort", "is", "2027"), ("phone", "exists", null)));
        Assert.Empty(await Members(("cohort", "is", "2027"), ("label", "is", "Fall"), ("firstName", "is", "Alan")));
    }

    [Fact]
    public async Task An_audience_without_rules_is_every_contact_of_the_tenant()
    {
        Assert.Equal(["Ada", "Alan", "Grace", "\u00c9mile"], await Members());
    }

    [Fact]
    public async Task Members_page_by_offset_and_by_cursor_in_contact_id_order()
    {
        var rules = Build().Rules;
        var all = await Store.GetAudienceContactsAsync(Tenant, rules, null, 100, Ct);
        var ids = all.Select(c => c.ContactId).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);

        Assert.Equal(ids[2..], (await Store.GetAudiencePageAsync(Tenant, rules, 2, 10, Ct)).Select(c => c.ContactId));
        Assert.Equal(ids[1..3], (await Store.GetAudiencePageAsync(Tenant, rules, 1, 2, Ct)).Select(c => c.ContactId));
        Assert.Equal(ids[2..4], (await Store.GetAudienceContactsAsync(Tenant, rules, ids[1], 2, Ct)).Select(c => c.ContactId));
        Assert.Equal(ids, await Store.ReadAudienceMemberIdsAsync(Tenant, rules, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Member_ids_stream_across_store_pages_without_gaps_or_repeats()
    {
        var tenant = TenantId.Parse("many");
        var csv = new StringBuilder("phone,first_name,last_name,external_id,even\n");
        for (var i = 0; i < 12_000; i++)
        {
            csv.Append(",N,").Append(i).Append(",x-").Append(i).Append(',').Append(i % 2 == 0 ? "yes" : "no").Append('\n');
        }

        var import = await ImportAsync(tenant, csv.ToString());
        Assert.Equal(12_000, import.Created);

        var even = await Store.ReadAudienceMemberIdsAsync(tenant, Build(("even", "is", "yes")).Rules, Ct).ToListAsync(Ct);

        Assert.Equal(6_000, even.Count);
        Assert.Equal(even.Order(StringComparer.Ordinal).Distinct(), even);
    }

    [Fact]
    public async Task Saved_audiences_read_back_and_names_are_unique_per_tenant_ignoring_case()
    {
        var audience = Build(("cohort", "is", "2027"), ("phone", "is", "2015550101"), ("label", "exists", null)) with { AudienceId = "aud_1", Name = "Class of 2027" };

        Assert.True(await Store.AddAudienceAsync(Tenant, audience, Ct));
        Assert.False(await Store.AddAudienceAsync(Tenant, audience with { AudienceId = "aud_2", Name = "CLASS OF 2027" }, Ct));
        Assert.True(await Store.AddAudienceAsync(Other, audience with { AudienceId = "aud_3" }, Ct));

        var read = await Store.GetAudienceAsync(Tenant, "aud_1", Ct);
        Assert.Equal(audience.Rules, read!.Rules);
        Assert.Equal(new AudienceRule("phone", AudienceOperator.Is, "+12015550101"), read.Rules[1]);
        Assert.Equal(["aud_1"], (await Store.ListAudiencesAsync(Tenant, Ct)).Select(a => a.AudienceId));
        Assert.Null(await Store.GetAudienceAsync(Other, "aud_1", Ct));
    }

    [Fact]
    public void A_bad_audience_is_refused_naming_every_bad_rule()
    {
        var draft = new AudienceDraft(" ",
        [
            new(null, "is", "x"),
            new("cohort", "equals", "2027"),
            new("cohort", "is", ""),
            new("email", "exists", "yes"),
            new("phone", "is", "12345"),
            new("bad\"name", "contains", "x"),
            new("label", null, null),
        ]);

        var ex = Assert.Throws<CampaignsValidationException>(() => AudienceValidator.Validate("aud_x", draft, "US", CampaignsTestCluster.Epoch));

        Assert.Equal(
            new Dictionary<string, string[]>
            {
                ["name"] = ["A name is required."],
                ["rules[0].field"] = ["A field is required: firstName, lastName, phone, email, timeZone, label or a custom field name."],
                ["rules[1].op"] = ["'equals' is not an op: use is, isNot, contains, exists or notExists."],
                ["rules[2].value"] = ["'is' needs a value."],
                ["rules[3].value"] = ["'exists' takes no value."],
                ["rules[4].value"] = ["'12345' is not a valid phone number."],
                ["rules[5].field"] = ["'bad\"name' cannot be a custom field name: at most 200 characters, without quotes, backslashes or control characters."],
                ["rules[6].op"] = ["An op is required: is, isNot, contains, exists or notExists."],
            },
            ex.Errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }

    [Fact]
    public void Rules_are_required_and_limited_in_number()
    {
        var missing = Assert.Throws<CampaignsValidationException>(() => AudienceValidator.Validate("a", new AudienceDraft("x", null), "US", CampaignsTestCluster.Epoch));
        Assert.Equal(["rules"], missing.Errors.Keys);

        var tooMany = Enumerable.Repeat(new AudienceRuleDraft("email", "exists", null), AudienceValidator.MaxRules + 1).ToList();
        var many = Assert.Throws<CampaignsValidationException>(() => AudienceValidator.Validate("a", new AudienceDraft("x", tooMany), "US", CampaignsTestCluster.Epoch));
        Assert.Equal(["An audience has at most 50 rules."], many.Errors["rules"]);
    }

    [Fact]
    public void Rule_values_with_control_characters_are_refused_like_imported_cells()
    {
        var draft = new AudienceDraft("Controls",
        [
            new AudienceRuleDraft("firstName", "is", "Ada\0"),
            new AudienceRuleDraft("major", "contains", "Maths\u001b[31m"),
            new AudienceRuleDraft("lastName", "is", "Lovelace"),
        ]);
        var ex = Assert.Throws<CampaignsValidationException>(() => AudienceValidator.Validate("aud_x", draft, "US", CampaignsTestCluster.Epoch));
        Assert.Equal(["rules[0].value", "rules[1].value"], ex.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["The value contains the control character U+0000."], ex.Errors["rules[0].value"]);
    }
}
