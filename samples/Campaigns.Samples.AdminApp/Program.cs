using Campaigns.Samples.AdminApp;

var builder = WebApplication.CreateBuilder(args);

// The embedded default: one process, a loopback Orleans silo, one SQLite file under Campaigns:DataPath.
builder.AddCampaignsEmbedded();
builder.Services.AddCampaignsApi(api => api.AllowAnonymousInDevelopment = true);
if (builder.Environment.IsDevelopment())
{
    builder.Services.AddCampaignsDevChannel();
    builder.Services.AddHostedService<DemoSeeder>();
}

var app = builder.Build();
app.MapCampaignsApi();
app.MapGet("/", CampaignsPage.RenderAsync);
app.MapGet("/campaigns/{campaignId}", InsightsPage.RenderAsync);
app.Lifetime.ApplicationStarted.Register(() =>
{
    foreach (var address in app.Urls)
    {
        Console.WriteLine($"Campaigns admin sample: {address} (API under {address}/api/v1, environment {app.Environment.EnvironmentName})");
    }
});
app.Run();

/// <summary>The sample's entry point, visible to the black-box tests.</summary>
public partial class Program;
