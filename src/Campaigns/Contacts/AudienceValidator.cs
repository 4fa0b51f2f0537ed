using Campaigns.Validation;

namespace Campaigns.Contacts;

/// <summary>
/// Turns an <see cref="AudienceDraft"/> into an <see cref="Audience"/>, or throws naming every
/// problem (<c>name</c>, <c>rules</c>, <c>rules[i].field</c>, <c>rules[i].op</c>, <c>rules[i].value</c>).
/// Field names are read without regard to case (<c>first_name</c> and <c>firstName</c> alike);
/// a phone compared with <c>is</c> or <c>isNot</c> is normalised to E.164 like an imported one.
/// </summary>
public static class AudienceValidator
{
    /// <summary>The longest audience name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The most rules an audience can have.</summary>
    public const int MaxRules = 50;

    /// <summary>The longest value a rule compares with.</summary>
    public const int MaxValueLength = ContactImporter.MaxCellLength;

    private static readonly Dictionary<string, string> Fields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["firstName"] = "firstName",
        ["first_name"] = "firstName",
        ["lastName"] = "lastName",
        ["last_name"] = "lastName",
        ["phone"] = "phone",
        ["email"] = "email",
        ["timeZone"] = "timeZone",
        ["time_zone"] = "timeZone",
        ["externalId"] = "externalId",
        ["external_id"] = "externalId",
        ["label"] = "label",
        ["labels"] = "label",
    };

    private static readonly Dictionary<string, AudienceOperator> Operators = new(StringComparer.Ordinal)
    {
        ["is"] = AudienceOperator.Is,
        ["isNot"] = AudienceOperator.IsNot,
        ["contains"] = AudienceOperator.Contains,
        ["exists"] = AudienceOperator.Exists,
        ["notExists"] = AudienceOperator.NotExists,
    };

    /// <summary>The API name of an operator.</summary>
    public static string ToName(this AudienceOperator op) => Operators.First(o => o.Value == op).Key;

    /// <summary>Validates a draft and builds the audience; <paramref name="defaultRegion"/> reads phone values written without a country code.</summary>
    public static Audience Validate(string audienceId, AudienceDraft draft, string defaultRegion, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new ValidationErrors();
        var name = draft.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("name", "A name is required.");
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add("name", $"A name is at most {MaxNameLength} characters.");
        }

        if (draft.Rules is null)
        {
            errors.Add("rules", "Rules are required: a list of {field, op, value} (an empty list matches every contact).");
        }
        else if (draft.Rules.Count > MaxRules)
        {
            errors.Add("rules", $"An audience has at most {MaxRules} rules.");
        }

        var rules = new List<AudienceRule>();
        for (var i = 0; i < (draft.Rules?.Count ?? 0); i++)
        {
            if (Rule(draft.Rules![i], $"rules[{i}]", defaultRegion, errors) is { } rule)
            {
                rules.Add(rule);
            }
        }

        errors.ThrowIfAny();
        return new Audience(audienceId, name!, rules, createdAt);
    }

    private static AudienceRule? Rule(AudienceRuleDraft? draft, string at, string region, ValidationErrors errors)
    {
        if (draft is null)
        {
            errors.Add(at, "A rule is an object {field, op, value}.");
            return null;
        }

        string? field = null;
        var rawField = draft.Field?.Trim();
        if (string.IsNullOrEmpty(rawField))
        {
            errors.Add($"{at}.field", "A field is required: firstName, lastName, phone, email, timeZone, label or a custom field name.");
        }
        else if (Fields.TryGetValue(rawField, out var known))
        {
            field = known;
        }
        else if (rawField.Length > MaxNameLength || rawField.Any(c => c is '"' or '\\' || char.IsControl(c)))
        {
            errors.Add($"{at}.field", $"'{Shorten(rawField)}' cannot be a custom field name: at most {MaxNameLength} characters, without quotes, backslashes or control characters.");
        }
        else
        {
            // Custom fields are stored under their lower-case CSV column names.
            field = rawField.ToLowerInvariant();
        }

        AudienceOperator? op = null;
        if (string.IsNullOrEmpty(draft.Op))
        {
            errors.Add($"{at}.op", "An op is required: is, isNot, contains, exists or notExists.");
        }
        else if (Operators.TryGetValue(draft.Op, out var known))
        {
            op = known;
        }
        else
        {
            errors.Add($"{at}.op", $"'{Shorten(draft.Op)}' is not an op: use is, isNot, contains, exists or notExists.");
        }

        var value = draft.Value?.Trim();
        switch (op)
        {
            case AudienceOperator.Exists or AudienceOperator.NotExists when !string.IsNullOrEmpty(value):
                errors.Add($"{at}.value", $"'{op.Value.ToName()}' takes no value.");
                break;
            case AudienceOperator.Exists or AudienceOperator.NotExists:
                value = null;
                break;
            case not null when string.IsNullOrEmpty(value):
                errors.Add($"{at}.value", $"'{op.Value.ToName()}' needs a value.");
                break;
            case not null when value!.Length > MaxValueLength:
                errors.Add($"{at}.value", $"A value is at most {MaxValueLength} characters.");
                break;
            case not null when ContactImporter.FirstControl(value!) is { } control:
                // The importer refuses these in a cell, so no contact could match them; NUL and escapes only disturb what shows the rule.
                errors.Add($"{at}.value", $"The value contains the control character U+{(int)control:X4}.");
                break;
            case AudienceOperator.Is or AudienceOperator.IsNot when field == "phone":
                value = ContactImporter.NormalisePhone(value!, region, out var problem);
                if (problem is not null)
                {
                    errors.Add($"{at}.value", problem);
                }

                break;
        }

        return field is null || op is null || (value is null && op is not (AudienceOperator.Exists or AudienceOperator.NotExists)) ? null : new AudienceRule(field, op.Value, value);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
