using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Scheduling;

namespace Campaigns.Tests;

public sealed class ClientReferenceTests
{
    public static TheoryData<string> CampaignIds() =>
    [
        "cmp_0123456789abcdef",
        RecurrenceRules.InstanceId("rec_0123456789abcdef", new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero)),
        IntroductoryCampaign.Id(IntroTrigger.OpenBotSms, "scr_0123456789abcdef"),
        "an:id:with:colons",
    ];

    [Theory]
    [MemberData(nameof(CampaignIds))]
    public void A_reference_reads_back_into_its_campaign_and_contact(string campaignId)
    {
        var reference = ClientReference.For(campaignId, "ct_019abc0000000001");

        Assert.True(ClientReference.TryParse(reference, out var campaign, out var contact));
        Assert.Equal((campaignId, "ct_019abc0000000001"), (campaign, contact));
    }

    [Fact]
    public void A_conversation_follow_up_key_reads_but_names_a_contact_no_campaign_has()
    {
        Assert.True(ClientReference.TryParse("ct_019abc0000000001:m3", out var campaign, out var contact));
        Assert.Equal(("ct_019abc0000000001", "m3"), (campaign, contact));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-separator")]
    [InlineData(":ct_a")]
    [InlineData("cmp_1:")]
    public void Anything_else_is_not_a_reference(string? reference) =>
        Assert.False(ClientReference.TryParse(reference, out _, out _));

    [Fact]
    public void A_contact_id_with_a_colon_cannot_make_a_reference() =>
        Assert.Throws<ArgumentException>(() => ClientReference.For("cmp_1", "ct:a"));
}
