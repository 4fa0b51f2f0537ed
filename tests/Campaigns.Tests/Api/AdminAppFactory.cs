using Campaigns.AspNetCore;
using Campaigns.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Api;

/// <summary>The admin sample in Development on its embedded default, with its own data folder.</summary>
public sealed class AdminAppFactory : WebApplicationFactory<Program>
{
    /// <summary>The sample's data folder: a new one by default; a restart test gives the second app the first one's.</summary>
    public string DataPath { get; init; } = Path.Combine(Path.GetTempPath(), "campaigns-api-" + Guid.NewGuid().ToString("N"));

    /// <summary>Whether disposing removes the data folder (a restart test keeps it for the next app).</summary>
    public bool DeleteDataOnDispose { get; init; } = true;

    public bool AllowAnonymous { get; init; } = true;

    /// <summary>A fake clock for the engine (send times, expiry, pauses); null: the system clock.</summary>
    public FakeTimeProvider? Clock { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Campaigns:DataPath", DataPath);
        builder.ConfigureServices(services => services.Configure<CampaignsApiOptions>(o => o.AllowAnonymousInDevelopment = AllowAnonymous));
        if (Clock is { } clock)
        {
            builder.ConfigureTestServices(services => services.Configure<CampaignsOptions>(o => o.TimeProvider = clock));
        }
    }

    public CampaignsClient Campaigns => Services.GetRequiredService<CampaignsClient>();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!DeleteDataOnDispose)
        {
            return;
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing is left for the OS to clean.
        }
    }
}
