using System.Net;
using System.Net.Http.Json;
using Campaigns.Channels.Dev;
using Microsoft.Extensions.DependencyInjection;

namespace Campaigns.Tests.Api;

/// <summary>A delivery report for a message sent before the sample restarted, through the dev channel.</summary>
public sealed class DeliveryReportRestartTests() : ApiTestHost(new AdminAppFactory { DeleteDataOnDispose = false })
{
    [Fact]
    public async Task A_message_sent_before_a_restart_takes_its_delivery_report_after_it()
    {
        await CreateTenant("restart-a", allDay: true);
        var importId = await Import("restart-a", ThreeContacts);
        var scriptId = await Script("restart-a", "Check-in", new { id = "ask", kind = "yesNo", text = "All good?" });
        var campaignId = await CreateCampaign("restart-a", "Welcome", scriptId, importId, new { kind = "now" });
        var outbox = App.Services.GetRequiredService<DevOutbox>();
        await outbox.WaitAsync(m => m.Count(x => x.CampaignId == campaignId) >= 3, Timeout);
        var sent = await Json(await Http.GetAsync($"/api/v1/tenants/restart-a/campaigns/{campaignId}"), HttpStatusCode.OK);
        Assert.Equal("sent", sent.GetProperty("status").GetString());
        var ada = outbox.For(TenantId.Parse("restart-a"), "+12025550143").Single();
        await App.DisposeAsync();

        // The same data folder, a new process's worth of state: the dev outbox starts empty.
        await using var restarted = new AdminAppFactory { DataPath = App.DataPath };
        using var http = restarted.CreateClient();
        Assert.Empty(restarted.Services.GetRequiredService<DevOutbox>().Messages);
        var report = await Json(await http.PostAsJsonAsync("/api/v1/tenants/restart-a/dev/status", new { messageId = ada.MessageId, status = "failed", reason = "30003 unreachable" }), HttpStatusCode.OK);
        Assert.True(report.GetProperty("recorded").GetBoolean());

        var insights = await Json(await http.GetAsync($"/api/v1/tenants/restart-a/campaigns/{campaignId}/insights"), HttpStatusCode.OK);
        Assert.Equal((3, 1), (insights.GetProperty("sent").GetInt32(), insights.GetProperty("failed").GetInt32()));
    }
}
