using System.Security.Claims;

namespace Campaigns.AspNetCore;

/// <summary>Who may call the Campaigns API.</summary>
public sealed class CampaignsApiOptions
{
    /// <summary>
    /// Maps a signed-in user to the tenants they may act for. Null: only tenant API keys are accepted.
    /// Called only for authenticated users.
    /// </summary>
    public Func<ClaimsPrincipal, TenantId, bool>? UserMayActFor { get; set; }

    /// <summary>
    /// Serve anonymous callers in the Development environment (ignored in every other environment).
    /// For exercising the contract locally without a sign-in.
    /// </summary>
    public bool AllowAnonymousInDevelopment { get; set; }
}
