using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Campaigns.Tests.Api;

/// <summary>A web-chat session id is the visitor's credential: it is their address, never contact data others can read.</summary>
public sealed class WebchatSessionApiTests : ApiTestHost
{
    [Fact]
    public async Task The_session_id_is_not_a_custom_field_in_contact_reads_audience_members_or_merge_fields_and_still_routes_replies()
    {
        await CreateTenant("chat-a");
        var scriptId = await Script("chat-a", "Hello", new { id = "ask", kind = "yesNo", text = "Welcome [{{field.webchatSession}}]! Questions?" });
        await Json(await Http.PutAsJsonAsync("/api/v1/tenants/chat-a", new { displayName = "Uni", timeZone = "America/New_York", introScripts = new { webchat = scriptId } }), HttpStatusCode.OK);

        var session = await Json(await Http.PostAsync("/api/v1/tenants/chat-a/dev/webchat/sessions", null), HttpStatusCode.Created);
        var sessionId = session.GetProperty("sessionId").GetString()!;
        var contactId = session.GetProperty("contactId").GetString()!;

        var outbox = await Json(await Http.GetAsync($"/api/v1/tenants/chat-a/dev/outbox?address={sessionId}"), HttpStatusCode.OK);
        Assert.Equal("Welcome []! Questions?", Assert.Single(outbox.GetProperty("items").EnumerateArray()).GetProperty("text").GetString());

        var contact = await (await Http.GetAsync($"/api/v1/tenants/chat-a/contacts/{contactId}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(sessionId, contact, StringComparison.Ordinal);
        Assert.Empty(JsonDocument.Parse(contact).RootElement.GetProperty("fields").EnumerateObject());

        var audienceId = (await Json(await Http.PostAsJsonAsync("/api/v1/tenants/chat-a/audiences", new { name = "Everyone", rules = Array.Empty<object>() }), HttpStatusCode.Created)).GetProperty("audienceId").GetString();
        var members = await (await Http.GetAsync($"/api/v1/tenants/chat-a/audiences/{audienceId}/members")).Content.ReadAsStringAsync();
        Assert.Contains(contactId, members, StringComparison.Ordinal);
        Assert.DoesNotContain(sessionId, members, StringComparison.Ordinal);

        // The session still is the visitor's address: their reply reaches their conversation.
        var reply = await Json(await Http.PostAsJsonAsync("/api/v1/tenants/chat-a/dev/inbound", new { channel = "webchat", from = sessionId, text = "yes" }), HttpStatusCode.OK);
        Assert.Equal((contactId, "answered"), (reply.GetProperty("contactId").GetString(), reply.GetProperty("outcome").GetString()));
    }
}
