using System.Globalization;
using System.Text;
using Campaigns.Scripts;

namespace Campaigns.Conversations;

/// <summary>An answer matched to a question.</summary>
/// <param name="Answer">What is recorded: <c>yes</c> or <c>no</c>, the choice as the script wrote it, or the open text as sent.</param>
/// <param name="Branch">The key followed in the step's <c>next</c>: <c>yes</c>/<c>no</c>, the choice, or <c>*</c>.</param>
public sealed record MatchedAnswer(string Answer, string Branch);

/// <summary>
/// Matches replies to questions the way people answer them. Yes/no: a reply that is, or starts
/// with, a yes word (y, yes, yeah, yep, sure, ...) or a no word (n, no, nope, ...), in any case
/// and with punctuation, and holds no word of the other side. Multiple choice: the choice's
/// text, its number (1, 2, ...) or its letter (a, b, ...), or a reply that names exactly one
/// choice. Open text: anything that is not blank, recorded as sent.
/// </summary>
public static class Answers
{
    private static readonly HashSet<string> YesWords = new(StringComparer.Ordinal)
    {
        "y", "yes", "yeah", "yea", "ya", "yep", "yup", "sure", "ok", "okay", "absolutely", "definitely", "correct", "affirmative",
    };

    private static readonly HashSet<string> NoWords = new(StringComparer.Ordinal)
    {
        "n", "no", "nope", "nah", "negative",
    };

    private static readonly HashSet<string> YesPhrases = new(StringComparer.Ordinal) { "of course", "yes please", "i do", "i have", "i am", "i will" };

    private static readonly HashSet<string> NoPhrases = new(StringComparer.Ordinal) { "not really", "no thanks", "no thank you", "i don't", "i do not", "i haven't", "i have not", "i'm not", "i am not", "i won't", "i will not" };

    /// <summary>Matches a reply to a question step; null when it matches no answer the step takes.</summary>
    public static MatchedAnswer? Match(ScriptStep step, string? text) => step.Kind switch
    {
        StepKind.YesNo => MatchYesNo(text) is { } yes ? new MatchedAnswer(yes ? "yes" : "no", yes ? "yes" : "no") : null,
        StepKind.MultipleChoice => MatchChoice(step.Choices ?? [], text) is { } choice ? new MatchedAnswer(choice, choice) : null,
        StepKind.OpenText => string.IsNullOrWhiteSpace(text) ? null : new MatchedAnswer(text, "*"),
        _ => null,
    };

    /// <summary>True for a yes, false for a no, null for neither (or both).</summary>
    public static bool? MatchYesNo(string? text)
    {
        var normal = Normalise(text);
        if (normal.Length == 0)
        {
            return null;
        }

        if (YesPhrases.Contains(normal) || YesWords.Contains(normal))
        {
            return true;
        }

        if (NoPhrases.Contains(normal) || NoWords.Contains(normal))
        {
            return false;
        }

        var words = Words(normal);
        var yes = words.Any(YesWords.Contains);
        var no = words.Any(NoWords.Contains) || NoPhrases.Any(p => normal.StartsWith(p + " ", StringComparison.Ordinal));
        if (YesWords.Contains(words[0]) && !no)
        {
            return true;
        }

        if ((NoWords.Contains(words[0]) || NoPhrases.Any(p => normal.StartsWith(p + " ", StringComparison.Ordinal))) && !yes)
        {
            return false;
        }

        return null;
    }

    /// <summary>The choice a reply picks, as the script wrote it, or null.</summary>
    public static string? MatchChoice(IReadOnlyList<string> choices, string? text)
    {
        var normal = Normalise(text);
        if (normal.Length == 0 || choices.Count == 0)
        {
            return null;
        }

        var normalChoices = choices.Select(Normalise).ToList();
        var exact = normalChoices.IndexOf(normal);
        if (exact >= 0)
        {
            return choices[exact];
        }

        // "2", "#2", "2)", "option 2"
        var numberText = normal.StartsWith("option ", StringComparison.Ordinal) ? normal[7..] : normal.TrimStart('#');
        if (int.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= choices.Count)
        {
            return choices[number - 1];
        }

        // "b", "b)"
        if (normal.Length == 1 && normal[0] is >= 'a' and <= 'z' && normal[0] - 'a' < choices.Count)
        {
            return choices[normal[0] - 'a'];
        }

        // "I think Biology": exactly one choice named as whole words.
        var padded = " " + string.Join(' ', Words(normal)) + " ";
        var named = Enumerable.Range(0, choices.Count)
            .Where(i => Words(normalChoices[i]) is { Length: > 0 } w && padded.Contains(" " + string.Join(' ', w) + " ", StringComparison.Ordinal))
            .ToList();
        return named.Count == 1 ? choices[named[0]] : null;
    }

    /// <summary>
    /// Lower case, trimmed, inner white space collapsed, and punctuation, symbols and emoji
    /// stripped from both ends ("  Yes!! 👍" is "yes").
    /// </summary>
    public static string Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        var s = builder.ToString();
        var start = 0;
        var end = s.Length;
        while (start < end && IsEdgeNoise(s, start) && s[start] != '#')
        {
            start++;
        }

        while (end > start && IsEdgeNoise(s, end - 1))
        {
            end--;
        }

        return s[start..end].Trim();
    }

    private static bool IsEdgeNoise(string s, int i) =>
        char.IsPunctuation(s[i]) || char.IsSymbol(s[i]) || char.IsSurrogate(s[i]) || char.IsWhiteSpace(s[i])
        || CharUnicodeInfo.GetUnicodeCategory(s[i]) is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark;

    private static string[] Words(string normal) =>
        normal.Split([' ', ',', '.', '!', '?', ';', ':', '-', '(', ')', '"'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Trim('\'', '’'))
            .Where(w => w.Length > 0)
            .ToArray();
}
