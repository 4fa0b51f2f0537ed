namespace Campaigns.Conversations;

/// <summary>What a keyword asks for.</summary>
public enum KeywordKind
{
    /// <summary>STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT.</summary>
    OptOut,

    /// <summary>START, UNSTOP.</summary>
    OptIn,

    /// <summary>HELP.</summary>
    Help,

    /// <summary><c>#pause</c>, optionally with a length.</summary>
    Pause,
}

/// <summary>How long a <c>#pause</c> lasts, as the contact chose it.</summary>
public enum PauseLength
{
    /// <summary>Not said: two weeks, and the contact is offered "forever".</summary>
    Unspecified,

    /// <summary>Two weeks, then messages resume by themselves.</summary>
    TwoWeeks,

    /// <summary>Until the contact texts START.</summary>
    Indefinitely,
}

/// <summary>A keyword found in an inbound message.</summary>
/// <param name="Kind">What it asks for.</param>
/// <param name="AllChannels">STOPALL: opt out on every channel, not only this one.</param>
/// <param name="Pause">For <see cref="KeywordKind.Pause"/>, the length asked for.</param>
public sealed record Keyword(KeywordKind Kind, bool AllChannels = false, PauseLength Pause = PauseLength.Unspecified);

/// <summary>
/// Reads keywords. A keyword is the whole message, in any case, with or without a leading
/// <c>#</c> and surrounding punctuation ("Stop.", "#STOP", "opt out"). <c>#pause</c> needs its
/// <c>#</c> (a bare "pause" may be an answer) and may carry a length: "#pause 2 weeks",
/// "#pause forever". Keywords win over answers: a conversation reads them first.
/// </summary>
public static class Keywords
{
    private static readonly HashSet<string> OptOutWords = new(StringComparer.Ordinal)
    {
        "stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "opt out", "opt-out",
    };

    private static readonly HashSet<string> OptInWords = new(StringComparer.Ordinal) { "start", "unstop" };

    private static readonly HashSet<string> TwoWeeks = new(StringComparer.Ordinal)
    {
        "2 weeks", "two weeks", "2weeks", "2w", "2 wks", "14 days", "2 week", "two week", "for 2 weeks", "for two weeks",
    };

    private static readonly HashSet<string> Forever = new(StringComparer.Ordinal)
    {
        "forever", "indefinitely", "indefinite", "for good", "always", "permanently",
    };

    /// <summary>The keyword a message is, or null when it is not one.</summary>
    public static Keyword? Parse(string? text)
    {
        var normal = Answers.Normalise(text);
        var hashed = normal.StartsWith('#');
        var word = hashed ? normal[1..].TrimStart() : normal;
        if (OptOutWords.Contains(word))
        {
            return new Keyword(KeywordKind.OptOut, AllChannels: word is "stopall" or "stop all");
        }

        if (OptInWords.Contains(word))
        {
            return new Keyword(KeywordKind.OptIn);
        }

        if (word == "help")
        {
            return new Keyword(KeywordKind.Help);
        }

        if (hashed && (word == "pause" || word.StartsWith("pause ", StringComparison.Ordinal)))
        {
            var rest = word[5..].Trim();
            return rest.Length == 0 ? new Keyword(KeywordKind.Pause)
                : ParsePauseLength(rest) is { } length ? new Keyword(KeywordKind.Pause, Pause: length)
                : null;
        }

        return null;
    }

    /// <summary>A pause length in words ("2 weeks", "forever"), or null when it is neither.</summary>
    public static PauseLength? ParsePauseLength(string? text)
    {
        var normal = Answers.Normalise(text);
        return TwoWeeks.Contains(normal) ? PauseLength.TwoWeeks : Forever.Contains(normal) ? PauseLength.Indefinitely : null;
    }
}
