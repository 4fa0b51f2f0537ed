using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Campaigns;

/// <summary>
/// The id of a tenant (an institution): <c>[a-z0-9][a-z0-9-]{0,62}</c>.
/// Every piece of data belongs to exactly one tenant; the id is validated once, here.
/// </summary>
[GenerateSerializer, Immutable, Alias("Campaigns.TenantId")]
public readonly partial record struct TenantId
{
    [Id(0)] private readonly string? _value;

    private TenantId(string value) => _value = value;

    /// <summary>The id as text.</summary>
    public string Value => _value ?? throw new InvalidOperationException("An uninitialised TenantId was used.");

    /// <summary>Parses a tenant id, throwing <see cref="FormatException"/> when it is not valid.</summary>
    public static TenantId Parse(string value) =>
        TryParse(value, out var id) ? id : throw new FormatException($"'{value}' is not a valid tenant id: use 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit.");

    /// <summary>Parses a tenant id.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out TenantId id)
    {
        if (value is not null && Pattern().IsMatch(value))
        {
            id = new TenantId(value);
            return true;
        }

        id = default;
        return false;
    }

    /// <summary>The key of a grain that belongs to this tenant: <c>{tenant}/{id}</c>.</summary>
    public string Key(string id) => $"{Value}/{id}";

    /// <summary>Reads the tenant part of a <c>{tenant}/{id}</c> grain key.</summary>
    public static bool TryFromKey(string key, out TenantId tenant, out string id)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        id = slash < 0 ? string.Empty : key[(slash + 1)..];
        return TryParse(slash < 0 ? key : key[..slash], out tenant);
    }

    /// <inheritdoc />
    public override string ToString() => Value;

    // \z, not $: $ also matches before a final line break, so "uni\n" would pass.
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{0,62}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
