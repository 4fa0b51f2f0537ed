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

    /// <summary>The problems found so far, keyed by field.</summary>
    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>
    /// Adds the problems of a later check (<paramref name="problems"/>), except those on a field already
    /// named here or on one around a field named here (<c>schedule</c> around <c>schedule.sendAt</c>): a
    /// part that could not be read is reported once, as read, not again as missing by the later check.
    /// </summary>
    public ValidationErrors AddUnreported(IReadOnlyDictionary<string, string[]> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var named = _errors.Keys.ToList();
        foreach (var (field, messages) in problems)
        {
            if (named.Any(n => n == field || n.StartsWith(field + ".", StringComparison.Ordinal) || n.StartsWith(field + "[", StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (var message in messages)
            {
                Add(field, message);
            }
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
