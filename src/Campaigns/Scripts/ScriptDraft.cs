namespace Campaigns.Scripts;

/// <summary>A script as submitted, before validation: every field may be missing or wrong.</summary>
public sealed record ScriptDraft(string? Name, string? Description, IReadOnlyList<StepDraft>? Steps);

/// <summary>A step as submitted.</summary>
public sealed record StepDraft(string? Id, string? Kind, string? Text, IReadOnlyList<string>? Choices = null, IReadOnlyDictionary<string, string>? Next = null);
