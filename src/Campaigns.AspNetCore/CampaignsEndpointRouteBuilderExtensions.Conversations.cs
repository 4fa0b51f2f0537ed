using Campaigns;
using Campaigns.Channels;
using Campaigns.Conversations;
using Campaigns.Validation;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

public static partial class CampaignsEndpointRouteBuilderExtensions
{
    /// <summary>The dev channel's contact side: <c>POST /dev/inbound</c> and <c>POST /dev/webchat/sessions</c>.</summary>
    private static void MapConversationDevRoutes(RouteGroupBuilder dev)
    {
        dev.MapPost("/inbound", async (HttpContext http, CampaignsClient c) =>
        {
            var errors = new ValidationErrors();
            var body = await Campaigns.AspNetCore.ApiJson.ReadAsync(http.Request, errors);
            var channelName = body.String("channel", required: true);
            var channel = ChannelKind.Sms;
            var known = channelName is not null && ChannelNames.TryParse(channelName, out channel);
            if (channelName is not null && !known)
            {
                errors.Add("channel", $"'{channelName}' is not a channel: use sms, email or webchat.");
            }

            var from = body.String("from", required: true);
            var text = body.String("text", required: true);
            if (!errors.IsEmpty)
            {
                // The sender is still checked (a phone number on sms) when another field could not be read.
                var region = (await c.GetTenantAsync(Tenant(http)))?.Settings.DefaultRegion ?? "US";
                errors.AddUnreported(CampaignsClient.CheckInbound(known ? channel : null, from, text, region).Errors.ToDictionary());
                errors.ThrowIfAny();
            }
            var result = await c.ReceiveAsync(Tenant(http), channel, from!, text!, http.RequestAborted);
            return Results.Ok(new
            {
                contactId = result.ContactId,
                outcome = OutcomeName(result.Outcome),
                campaignId = result.CampaignId,
                stepId = result.StepId,
                answer = result.Answer,
            });
        });

        dev.MapPost("/webchat/sessions", async (HttpContext http, CampaignsClient c) =>
        {
            var session = await c.StartWebchatSessionAsync(Tenant(http), http.RequestAborted);
            return Results.Created(
                $"{http.Request.Path}/{session.SessionId}",
                new { sessionId = session.SessionId, contactId = session.ContactId, introduced = session.Introduced });
        });
    }

    private static string OutcomeName(InboundOutcome outcome)
    {
        var name = outcome.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
