namespace Campaigns.Validation;

/// <summary>
/// Input that was refused, with every problem found (not only the first), keyed by field.
/// Nothing was changed by the call that threw it.
/// </summary>
[GenerateSerializer, Alias("Campaigns.CampaignsValidationException")]
public sealed class CampaignsValidationException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public CampaignsValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base(Describe(errors)) => Errors = errors;

    /// <summary>Creates the exception for one problem.</summary>
    public CampaignsValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    /// <summary>The problems, keyed by the field they concern.</summary>
    [Id(0)] public IReadOnlyDictionary<string, string[]> Errors { get; }

    private static string Describe(IReadOnlyDictionary<string, string[]> errors) =>
        "Validation failed: " + string.Join("; ", errors.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
}
