using Campaigns.Campaigns;
using Campaigns.Scheduling;
using Campaigns.Scripts;
using Campaigns.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Tests.Support;

/// <summary>Helpers for recurring schedules on the test cluster: a deterministic sweep and seeding a tenant with its own zone.</summary>
internal static class ScheduleTestSupport
{
    /// <summary>Runs the scheduler's sweep and waits for the wakes it starts, so past-due work is done when it returns.</summary>
    public static Task SweepAsync(this CampaignsTestCluster env) => env.Services.GetRequiredService<DueWorkScheduler>().SweepAsync();

    /// <summary>Moves the fake clock to <paramref name="at"/> and sweeps, so anything due by then has been woken.</summary>
    public static async Task AdvanceToAsync(this CampaignsTestCluster env, DateTimeOffset at)
    {
        var delta = at - env.Clock.GetUtcNow();
        if (delta > TimeSpan.Zero)
        {
            env.Clock.Advance(delta);
        }

        await env.SweepAsync();
    }

    /// <summary>A tenant in <paramref name="timeZone"/>, an import of <paramref name="csv"/> and a one-message script.</summary>
    public static async Task<(string ImportId, Script Script)> SeedTenantAsync(this CampaignsTestCluster env, TenantId tenant, string timeZone, string csv, SendingHours? hours = null)
    {
        await env.Client.PutTenantAsync(tenant, new TenantSettings($"Tenant {tenant}", timeZone, SendingHours: hours));
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));
        var import = await env.Client.ImportContactsAsync(tenant, stream);
        Assert.Empty(import.Errors);
        var script = await env.Client.CreateScriptAsync(tenant, new ScriptDraft("Weekly check-in", "Recurring nudge", [new StepDraft("hello", "message", "Hello {{firstName}}")]));
        return (import.ImportId, script);
    }

    public static CampaignRequest Recurring(string importId, string scriptId, Recurrence recurrence) =>
        new("Weekly check-in", "Recurring nudge", scriptId, Channels.ChannelKind.Sms, new Recipients(importId), CampaignSchedule.Recurring(recurrence));
}
