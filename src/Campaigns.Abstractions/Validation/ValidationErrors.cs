namespace Campaigns.Validation;

/// <summary>Collects every problem in an input before anything is applied.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    /// <summary>Whether no problem was found.</summary>
    public bool IsEmpty => _errors.Count == 0;

    /// <summary>Records a problem with a field.</summary>
    public ValidationErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        if (!list.Contains(message))
        {
            list.Add(message);
        }

        return this;
    }

    /// <summary>Throws a <see cref="CampaignsValidationException"/> naming every problem, if there is any.</summary>
    public void ThrowIfAny()
    {
        if (!IsEmpty)
        {
            throw new CampaignsValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}
