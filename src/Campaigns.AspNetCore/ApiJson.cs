using System.Text.Json;
using System.Text.Json.Serialization;
using Campaigns.Validation;

namespace Campaigns.AspNetCore;

/// <summary>Reads request bodies field by field so that every problem is reported, not only the first.</summary>
internal sealed class ApiJson(JsonElement root, ValidationErrors errors, string prefix = "")
{
    private readonly JsonElement _root = root;
    private readonly string _prefix = prefix;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public ValidationErrors Errors => errors;

    public static async Task<ApiJson> ReadAsync(HttpRequest request, ValidationErrors errors)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add("body", "The body must be a JSON object.");
            }

            return new ApiJson(document.RootElement.Clone(), errors);
        }
        catch (JsonException ex)
        {
            errors.Add("body", $"The body is not valid JSON: {ex.Message}");
            errors.ThrowIfAny();
            throw;
        }
    }

    private string Path(string name) => _prefix.Length == 0 ? name : $"{_prefix}.{name}";

    public bool Has(string name) => _root.ValueKind == JsonValueKind.Object && _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    private JsonElement? Get(string name) => _root.ValueKind == JsonValueKind.Object && _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string? String(string name, bool required = false)
    {
        switch (Get(name))
        {
            case { ValueKind: JsonValueKind.String } v:
                return v.GetString();
            case null:
                if (required)
                {
                    errors.Add(Path(name), "This field is required.");
                }

                return null;
            default:
                errors.Add(Path(name), "Must be a string.");
                return null;
        }
    }

    /// <summary>A string, or a number or true/false read as its JSON text (a rule's value may be written either way).</summary>
    public string? Scalar(string name) => Get(name) switch
    {
        { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } v => v.GetRawText(),
        _ => String(name),
    };

    public bool? Bool(string name)
    {
        switch (Get(name))
        {
            case { ValueKind: JsonValueKind.True }: return true;
            case { ValueKind: JsonValueKind.False }: return false;
            case null: return null;
            default:
                errors.Add(Path(name), "Must be true or false.");
                return null;
        }
    }

    public int? Int(string name)
    {
        switch (Get(name))
        {
            case { ValueKind: JsonValueKind.Number } v when v.TryGetInt32(out var i): return i;
            case null: return null;
            default:
                errors.Add(Path(name), "Must be a whole number.");
                return null;
        }
    }

    public DateTimeOffset? Time(string name, bool required = false)
    {
        var text = String(name, required);
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
            && (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9))
        {
            return at;
        }

        errors.Add(Path(name), $"'{text}' is not an ISO-8601 time with an offset.");
        return null;
    }

    public ApiJson? Object(string name, bool required = false)
    {
        switch (Get(name))
        {
            case { ValueKind: JsonValueKind.Object } v:
                return new ApiJson(v, errors, Path(name));
            case null:
                if (required)
                {
                    errors.Add(Path(name), "This field is required.");
                }

                return null;
            default:
                errors.Add(Path(name), "Must be an object.");
                return null;
        }
    }

    public IReadOnlyList<ApiJson>? Array(string name, bool required = false)
    {
        switch (Get(name))
        {
            case { ValueKind: JsonValueKind.Array } v:
                return v.EnumerateArray().Select((e, i) => new ApiJson(e, errors, $"{Path(name)}[{i}]")).ToList();
            case null:
                if (required)
                {
                    errors.Add(Path(name), "This field is required.");
                }

                return null;
            default:
                errors.Add(Path(name), "Must be an array.");
                return null;
        }
    }

    public IReadOnlyList<string>? Strings(string name)
    {
        if (Array(name) is not { } items)
        {
            return null;
        }

        var values = new List<string>();
        foreach (var item in items)
        {
            if (item._root.ValueKind == JsonValueKind.String)
            {
                values.Add(item._root.GetString()!);
            }
            else
            {
                errors.Add(item._prefix, "Must be a string.");
            }
        }

        return values;
    }

    public IReadOnlyDictionary<string, string>? StringMap(string name)
    {
        if (Object(name) is not { } map)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map._root.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                values[property.Name] = property.Value.GetString()!;
            }
            else
            {
                errors.Add($"{map._prefix}.{property.Name}", "Must be a string.");
            }
        }

        return values;
    }
}
