namespace Campaigns.Storage;

/// <summary>A delivery fact with what reports show beside it: the contact's name and the invalid answers per question.</summary>
public sealed record ReportFact(DeliveryFact Fact, string? FirstName, string? LastName, IReadOnlyDictionary<string, int>? InvalidAnswers);

/// <summary>
/// The list figures of one send, counted from its delivery facts: contacts sent to or attempted
/// (carrier failures included, skipped and waiting contacts not), those of them who responded in any
/// way, and the latest send time.
/// </summary>
public sealed record CampaignFigures(int Sent, int Responded, DateTimeOffset? LastSentAt);
