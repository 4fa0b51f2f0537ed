using Campaigns.Contacts;
using Microsoft.Extensions.Time.Testing;

namespace Campaigns.Tests.Contacts;

public sealed class ContactIdsTests
{
    [Fact]
    public void Ids_made_later_sort_after_earlier_ones_even_in_the_same_millisecond_or_when_the_clock_goes_back()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 9, 1, 12, 0, 0, TimeSpan.Zero));
        var ids = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            ids.Add(ContactIds.New(clock));
        }

        clock.Advance(TimeSpan.FromMilliseconds(1));
        ids.Add(ContactIds.New(clock));
        ids.Add(ContactIds.New(new FakeTimeProvider(clock.GetUtcNow().AddHours(-1))));

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.All(ids, id => Assert.Matches("^ct_[0-9a-f]{20}$", id));
    }
}
