namespace Campaigns.Grains;

/// <summary>
/// References to string-keyed grains without the reflection of <c>GetGrain&lt;T&gt;(string)</c>, which resolves the
/// interface's grain type from its attributes on every call (a few percent of the CPU of a burst of due schedules,
/// several references per instance started). The grain and interface types are learned from the first reference
/// made the usual way through a factory; later references through that factory are made from their id.
/// </summary>
internal static class GrainReferences
{
    public static T Get<T>(IGrainFactory grains, string key)
        where T : class, IGrainWithStringKey
    {
        if (Types<T>.Known is { } known && ReferenceEquals(known.Factory, grains))
        {
            return (T)grains.GetGrain(GrainId.Create(known.Grain, key), known.Interface);
        }

        var reference = grains.GetGrain<T>(key);
        if (reference is GrainReference made)
        {
            Types<T>.Known = new Known(grains, made.GrainId.Type, made.InterfaceType);
        }

        return reference;
    }

    private sealed record Known(IGrainFactory Factory, GrainType Grain, GrainInterfaceType Interface);

    private static class Types<T>
    {
        public static Known? Known;
    }
}
