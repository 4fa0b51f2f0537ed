using System.Net;
using System.Net.Sockets;
using Campaigns.Channels;
using Campaigns.Grains;
using Campaigns.Scheduling;
using Campaigns.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

// In the hosting namespace of Orleans so that AddCampaigns is found without an extra using.
namespace Orleans.Hosting;

/// <summary>Adds the Campaigns SDK to an Orleans silo or a host.</summary>
public static class CampaignsHostingExtensions
{
    /// <summary>
    /// Adds the Campaigns grains, dispatcher, scheduler and client facade to a silo. Pair it with a
    /// store: <see cref="UseCampaignsSqliteStore(ISiloBuilder, string)"/> for one process.
    /// </summary>
    public static ISiloBuilder AddCampaigns(this ISiloBuilder silo, Action<Campaigns.Hosting.CampaignsOptions>? configure = null)
    {
        silo.Services.AddCampaigns(configure);
        return silo.AddIncomingGrainCallFilter<TenantGuardFilter>();
    }

    /// <summary>Registers the Campaigns services (the silo extension forwards here).</summary>
    public static IServiceCollection AddCampaigns(this IServiceCollection services, Action<Campaigns.Hosting.CampaignsOptions>? configure = null)
    {
        var options = services.AddOptions<Campaigns.Hosting.CampaignsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.FanOutPageSize > 0 && o.SendConcurrency > 0 && o.SweepInterval > TimeSpan.Zero, "FanOutPageSize, SendConcurrency and SweepInterval must be positive.")
            .Validate(o => o.ArmHorizon > o.SweepInterval, "ArmHorizon must be longer than SweepInterval, or due times could be armed late.")
            .Validate(o => o.MissedSendGrace >= TimeSpan.Zero, "MissedSendGrace must not be negative.")
            .Validate(o => o.InvalidPhoneAfterFailures > 0, "InvalidPhoneAfterFailures must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton<ChannelDispatcher>();
        services.TryAddSingleton<DueWorkScheduler>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DueWorkScheduler>());
        services.TryAddSingleton(sp => new Campaigns.CampaignsClient(
            sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<ICampaignStore>(), sp.GetRequiredService<ChannelDispatcher>(),
            sp.GetRequiredService<IOptions<Campaigns.Hosting.CampaignsOptions>>()));
        return services;
    }

    /// <summary>Keeps contacts, scripts, delivery facts, due times and grain state in one SQLite file.</summary>
    public static ISiloBuilder UseCampaignsSqliteStore(this ISiloBuilder silo, string databasePath)
    {
        var store = new SqliteCampaignStore(databasePath);
        silo.Services.AddSingleton(store);
        silo.Services.AddSingleton<ICampaignStore>(store);
        silo.Services.AddGrainStorage(Campaigns.Hosting.CampaignsDefaults.StorageName, (sp, _) =>
            new SqliteGrainStorage(store, new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>())));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new StoreInitializer(store));
        return silo;
    }

    /// <summary>
    /// The embedded default: a single-process Orleans silo on loopback (ports chosen free unless
    /// configured) with everything stored in <c>{Campaigns:DataPath}/campaigns.db</c>
    /// (default: a <c>data</c> folder under the content root). Survives a restart with nothing lost.
    /// </summary>
    public static IHostApplicationBuilder AddCampaignsEmbedded(this IHostApplicationBuilder builder, Action<Campaigns.Hosting.CampaignsOptions>? configure = null)
    {
        var dataPath = builder.Configuration["Campaigns:DataPath"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.Environment.ContentRootPath)
            : Path.Combine(builder.Environment.ContentRootPath, "data");
        var siloPort = builder.Configuration.GetValue<int?>("Campaigns:SiloPort") ?? FreePort();
        var gatewayPort = builder.Configuration.GetValue<int?>("Campaigns:GatewayPort") ?? FreePort();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort, gatewayPort, serviceId: "campaigns", clusterId: "campaigns-embedded")
            .UseCampaignsSqliteStore(Path.Combine(dataPath, "campaigns.db"))
            .AddCampaigns(configure));
        return builder;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class StoreInitializer(ICampaignStore store) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(StoreInitializer), ServiceLifecycleStage.RuntimeInitialize, ct => store.InitializeAsync(ct));
    }
}
