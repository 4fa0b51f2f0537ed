using Campaigns.Channels;
using Campaigns.Channels.Dev;

namespace Campaigns.Tests;

public sealed class DevMessageIdsTests
{
    [Fact]
    public void A_dev_message_id_is_new_each_time_and_carries_the_reference_it_left_with()
    {
        var reference = ClientReference.For("rec_0123456789abcdef-20261127T090000Z", "ct_019abc0000000001");
        var first = DevMessageIds.New(reference);
        var second = DevMessageIds.New(reference);

        Assert.NotEqual(first, second);
        Assert.True(DevMessageIds.TryReadReference(first, out var read));
        Assert.Equal(reference, read);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("dev-0123456789ab")]
    [InlineData("msg-0123456789ab.Y21wXzE6Y3RfYQ")]
    [InlineData("dev-0123456789ab.not base64!")]
    [InlineData("dev-0123456789ab.")]
    [InlineData("dev-0123456789ab.__8")]
    public void Any_other_text_carries_no_reference(string? messageId) =>
        Assert.False(DevMessageIds.TryReadReference(messageId, out _));
}
