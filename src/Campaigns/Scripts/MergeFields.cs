using System.Text.RegularExpressions;
using Campaigns.Contacts;

namespace Campaigns.Scripts;

/// <summary>
/// Merge fields in script text: <c>{{firstName}}</c>, <c>{{lastName}}</c>, <c>{{phone}}</c>,
/// <c>{{email}}</c> and <c>{{field.NAME}}</c> (empty when the contact has none).
/// </summary>
public static partial class MergeFields
{
    private static readonly string[] Defaults = ["firstName", "lastName", "phone", "email"];

    /// <summary>The names used in a text that are not merge fields.</summary>
    public static IEnumerable<string> Unknown(string text) =>
        Pattern().Matches(text).Select(m => m.Groups[1].Value.Trim())
            .Where(name => !Defaults.Contains(name, StringComparer.Ordinal) && !(name.StartsWith("field.", StringComparison.Ordinal) && name.Length > 6));

    /// <summary>Fills a text's merge fields from a contact.</summary>
    public static string Render(string text, Contact contact) => Pattern().Replace(text, m =>
    {
        var name = m.Groups[1].Value.Trim();
        return name switch
        {
            "firstName" => contact.FirstName,
            "lastName" => contact.LastName,
            "phone" => contact.Phone ?? string.Empty,
            "email" => contact.Email ?? string.Empty,
            _ when name.StartsWith("field.", StringComparison.Ordinal) => contact.Fields.TryGetValue(name[6..], out var v) ? v : string.Empty,
            _ => m.Value,
        };
    });

    [GeneratedRegex(@"\{\{([^{}]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
