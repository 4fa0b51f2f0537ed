namespace Campaigns.Tests;

public sealed class TenantIdTests
{
    [Theory]
    [InlineData("uni-a")]
    [InlineData("0")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void A_valid_id_parses(string value) => Assert.True(TenantId.TryParse(value, out _));

    [Theory]
    [InlineData("rv3\n")]
    [InlineData("rv3\r\n")]
    [InlineData("-rv3")]
    [InlineData("Rv3")]
    [InlineData("")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void An_id_with_anything_after_its_last_character_even_a_line_break_is_refused(string value) =>
        Assert.False(TenantId.TryParse(value, out _));
}
