namespace Campaigns.Validation;

/// <summary>A resource that does not exist for the calling tenant (or belongs to another one).</summary>
[GenerateSerializer, Alias("Campaigns.NotFoundException")]
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>A request that conflicts with the resource's current state (for example cancelling a send that started).</summary>
[GenerateSerializer, Alias("Campaigns.ConflictException")]
public sealed class ConflictException(string message) : Exception(message);

/// <summary>A grain call made for a tenant other than the one the grain belongs to.</summary>
[GenerateSerializer, Alias("Campaigns.TenantMismatchException")]
public sealed class TenantMismatchException(string message) : Exception(message);
