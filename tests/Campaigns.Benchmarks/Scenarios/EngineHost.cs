using Campaigns.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// The real engine as a host app embeds it: <c>AddCampaignsEmbedded</c> (an Orleans silo on
/// loopback, the campaign grains, the scheduler and <see cref="Storage.SqliteCampaignStore"/> on one
/// file in <see cref="DataDirectory"/>), with the SDK's <see cref="CampaignsClient"/>.
/// </summary>
internal sealed class EngineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineHost(IHost host, string dataDirectory)
    {
        _host = host;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "campaigns.db");

    public CampaignsClient Client => _host.Services.GetRequiredService<CampaignsClient>();

    public IServiceProvider Services => _host.Services;

    public static async Task<EngineHost> StartAsync(string dataDirectory, Action<IServiceCollection>? services = null, Action<CampaignsOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = dataDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.AddInMemoryCollection([new("Campaigns:DataPath", dataDirectory)]);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.AddCampaignsEmbedded(configure);
        services?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync();
        return new EngineHost(host, dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        SqliteConnection.ClearAllPools();
    }
}
