using Campaigns.Contacts;
using Campaigns.Validation;

namespace Campaigns;

/// <summary>The longest texts a tenant stores beside its contacts and scripts.</summary>
public sealed partial class CampaignsClient
{
    /// <summary>The longest tenant display name, API key name or channel setting name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The longest help text: it is sent as an SMS reply, and 1,600 characters is ten concatenated segments.</summary>
    public const int MaxHelpTextLength = 1600;

    /// <summary>The longest channel setting value (room for a PEM private key).</summary>
    public const int MaxSettingValueLength = 4000;

    /// <summary>
    /// Adds a problem when <paramref name="value"/> is longer than <paramref name="max"/> or holds a control
    /// character other than tab, CR and LF (the importer's rule for a cell).
    /// </summary>
    private static void CheckText(ValidationErrors errors, string field, string? value, int max)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > max)
        {
            errors.Add(field, $"At most {max} characters ({value.Length} given).");
        }
        else if (ContactImporter.FirstControl(value) is { } control)
        {
            errors.Add(field, $"Contains the control character U+{(int)control:X4}.");
        }
    }
}
