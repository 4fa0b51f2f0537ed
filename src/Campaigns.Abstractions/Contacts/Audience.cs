namespace Campaigns.Contacts;

/// <summary>
/// Saved rules over contact fields. Its members are the contacts for which every rule holds (AND),
/// evaluated when a campaign sends and whenever they are listed.
/// </summary>
[GenerateSerializer, Immutable, Alias("Campaigns.Audience")]
public sealed record Audience(string AudienceId, string Name, IReadOnlyList<AudienceRule> Rules, DateTimeOffset CreatedAt);

/// <summary>
/// One rule of an audience. <see cref="Field"/> is a default field (<c>firstName</c>, <c>lastName</c>,
/// <c>phone</c>, <c>email</c>, <c>timeZone</c>, <c>externalId</c>), <c>label</c> (the contact's labels,
/// import labels included) or the name of a custom field. <see cref="Value"/> is null for
/// <see cref="AudienceOperator.Exists"/> and <see cref="AudienceOperator.NotExists"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Campaigns.AudienceRule")]
public sealed record AudienceRule(string Field, AudienceOperator Op, string? Value);

/// <summary>How a rule compares a field with its value. Text compares without regard to case.</summary>
public enum AudienceOperator
{
    /// <summary>The field equals the value (for <c>label</c>: the contact has that label).</summary>
    Is,

    /// <summary>The field does not equal the value, or is empty (for <c>label</c>: the contact lacks that label).</summary>
    IsNot,

    /// <summary>The field contains the value (for <c>label</c>: one of the labels does).</summary>
    Contains,

    /// <summary>The field has a non-empty value (for <c>label</c>: the contact has any label).</summary>
    Exists,

    /// <summary>The field is missing or empty (for <c>label</c>: the contact has no label).</summary>
    NotExists,
}

/// <summary>An audience as submitted, before validation: every field may be missing or wrong.</summary>
public sealed record AudienceDraft(string? Name, IReadOnlyList<AudienceRuleDraft>? Rules);

/// <summary>A rule as submitted: <see cref="Op"/> is <c>is</c>, <c>isNot</c>, <c>contains</c>, <c>exists</c> or <c>notExists</c>.</summary>
public sealed record AudienceRuleDraft(string? Field, string? Op, string? Value);

/// <summary>One page of an audience's members, in contact id order, and how many there are in all.</summary>
public sealed record AudienceMembersPage(int Total, IReadOnlyList<Contact> Items);
