using Campaigns.Validation;

namespace Campaigns.Grains;

/// <summary>
/// Carries the calling tenant on every grain call (Orleans <see cref="RequestContext"/>) and
/// refuses a call whose tenant does not own the grain it reaches.
/// </summary>
internal static class TenantContext
{
    private const string Key = "campaigns.tenant";

    public static void Set(TenantId tenant) => RequestContext.Set(Key, tenant.Value);

    public static string? Current => RequestContext.Get(Key) as string;
}

/// <summary>A grain that belongs to one tenant.</summary>
internal interface ITenantOwned
{
    TenantId Owner { get; }
}

/// <summary>Refuses calls into a tenant's grain made for another tenant (or for none).</summary>
internal sealed class TenantGuardFilter : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is ITenantOwned owned
            && context.InterfaceMethod?.DeclaringType?.Assembly == typeof(ICampaignGrain).Assembly
            && TenantContext.Current != owned.Owner.Value)
        {
            throw new TenantMismatchException($"A call for tenant '{TenantContext.Current ?? "(none)"}' reached a grain of another tenant.");
        }

        return context.Invoke();
    }
}
