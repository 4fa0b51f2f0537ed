namespace Campaigns.Contacts;

/// <summary>The outcome of a CSV import: what landed and every row that did not.</summary>
public sealed record ImportResult(string ImportId, int Created, int Updated, int Skipped, IReadOnlyList<ImportRowError> Errors);

/// <summary>A problem with one cell or row of an import: <see cref="Line"/> is the 1-based physical line where the record starts.</summary>
public sealed record ImportRowError(int Line, string? Column, string Message);

/// <summary>Which contacts of an import a campaign targets.</summary>
public enum ImportSubset
{
    /// <summary>Every contact the import created or updated.</summary>
    All,

    /// <summary>Contacts the import created.</summary>
    Created,

    /// <summary>Contacts the import updated.</summary>
    Updated,

    /// <summary>Contacts whose phone the import changed.</summary>
    UpdatedPhone,
}

/// <summary>The record of an import: its label, when it ran, and what it did.</summary>
public sealed record ImportSummary(string ImportId, string? Label, DateTimeOffset At, int Created, int Updated, int Skipped);
