using Campaigns;
using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Scripts;
using Campaigns.Tenants;

var builder = WebApplication.CreateBuilder(args);
builder.AddCampaignsEmbedded();            // Orleans on loopback + one SQLite file under ./data
builder.Services.AddCampaignsDevChannel(); // an in-memory outbox instead of a real SMS provider
builder.Services.AddCampaignsApi(api => api.UserMayActFor = (user, tenant) => user.HasClaim("tenant", tenant.Value));

var app = builder.Build();
app.MapCampaignsApi();
app.MapPost("/welcome", async (CampaignsClient campaigns, HttpRequest request) =>
{
    var tenant = TenantId.Parse("my-university");
    await campaigns.PutTenantAsync(tenant, new TenantSettings("My University", "America/Chicago"));
    var import = await campaigns.ImportContactsAsync(tenant, request.Body);
    var script = await campaigns.CreateScriptAsync(tenant, new ScriptDraft("Welcome", null, [new StepDraft("hi", "message", "Welcome, {{firstName}}!")]));
    var campaignId = await campaigns.CreateCampaignAsync(tenant, new CampaignRequest(
        "Welcome", "", script.ScriptId, ChannelKind.Sms, new Recipients(import.ImportId), CampaignSchedule.Now));
    return Results.Ok(new { campaignId, import.Created, import.Errors });
});
app.Run();
