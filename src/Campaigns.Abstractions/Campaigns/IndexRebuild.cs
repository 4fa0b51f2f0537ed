namespace Campaigns.Campaigns;

/// <summary>What rebuilding a tenant's campaign list from the delivery facts did: the rows it holds and how many differed from the live list (changed, added or dropped).</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.IndexRebuild")]
public sealed record IndexRebuild(int Rows, int Changed);
