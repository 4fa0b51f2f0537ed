using Campaigns.Samples.AdminApp;

// Development on http://127.0.0.1:5080 unless ASPNETCORE_ENVIRONMENT / ASPNETCORE_URLS (or their
// command-line forms) say otherwise; launchSettings.json sets neither, so they win under dotnet run too.
var builder = WebApplication.CreateBuilder(LocalDefaults.Options(args));
LocalDefaults.UseLoopbackUnlessConfigured(builder);

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
