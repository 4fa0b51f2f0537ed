using Campaigns.Grains;
using Campaigns.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Grains;

public sealed class GrainReferencesTests
{
    [Fact]
    public async Task A_reference_made_from_its_id_is_the_one_orleans_makes_and_reaches_the_grain()
    {
        using var dir = new TempDirectory();
        await using var env = await CampaignsTestCluster.StartAsync(dir.Path, new FakeTimeProvider(CampaignsTestCluster.Epoch));
        var grains = env.Services.GetRequiredService<IGrainFactory>();
        var tenant = TenantId.Parse("refs");
        await env.Client.PutTenantAsync(tenant, new Tenants.TenantSettings("Refs", "Etc/UTC"));

        // The first reference is made the usual way; the later ones from their id, with the types it taught.
        var first = GrainReferences.Get<ITenantGrain>(grains, "refs");
        var second = GrainReferences.Get<ITenantGrain>(grains, "refs");
        var other = GrainReferences.Get<ITenantGrain>(grains, "refs-other");
        var usual = grains.GetGrain<ITenantGrain>("refs");

        Assert.Equal(usual.GetGrainId(), second.GetGrainId());
        Assert.Equal(((GrainReference)(object)usual).InterfaceType, ((GrainReference)(object)second).InterfaceType);
        Assert.Equal(usual.GetGrainId(), first.GetGrainId());
        Assert.Equal(grains.GetGrain<ITenantGrain>("refs-other").GetGrainId(), other.GetGrainId());
        TenantContext.Set(tenant);
        Assert.Equal("Refs", (await second.Get())!.Settings.DisplayName);
    }
}
