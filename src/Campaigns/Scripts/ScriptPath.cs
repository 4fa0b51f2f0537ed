namespace Campaigns.Scripts;

/// <summary>Walks a script's steps.</summary>
public static class ScriptPath
{
    /// <summary>The step after <paramref name="step"/> for an answer (<c>*</c> when it asks nothing), or null at the end.</summary>
    public static ScriptStep? Next(Script script, ScriptStep step, string answer = "*")
    {
        if (step.Next is { } next && (next.TryGetValue(answer, out var id) || TryGetIgnoringCase(next, answer, out id) || next.TryGetValue("*", out id)))
        {
            return script.Steps.FirstOrDefault(s => s.Id == id);
        }

        var index = IndexOf(script, step.Id);
        return index >= 0 && index + 1 < script.Steps.Count ? script.Steps[index + 1] : null;
    }

    /// <summary>
    /// What a campaign sends first: the first step and the messages that follow it, up to and
    /// including the first question (a conversation then waits for the answer).
    /// </summary>
    public static IReadOnlyList<ScriptStep> Opening(Script script) => Through(script, script.Steps.Count > 0 ? script.Steps[0] : null);

    /// <summary>
    /// What is sent from <paramref name="start"/> on: that step and the messages after it, up to and
    /// including the next question (empty when <paramref name="start"/> is null: the script ended).
    /// </summary>
    public static IReadOnlyList<ScriptStep> Through(Script script, ScriptStep? start)
    {
        var steps = new List<ScriptStep>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var step = start; step is not null && seen.Add(step.Id); step = Next(script, step))
        {
            steps.Add(step);
            if (step.Kind.IsQuestion())
            {
                break;
            }
        }

        return steps;
    }

    // The validator accepts a branch on a choice in any case ("yes" for the choice "Yes"), so it is followed in any case too.
    private static bool TryGetIgnoringCase(IReadOnlyDictionary<string, string> next, string answer, out string id)
    {
        foreach (var (key, target) in next)
        {
            if (string.Equals(key, answer, StringComparison.OrdinalIgnoreCase))
            {
                id = target;
                return true;
            }
        }

        id = string.Empty;
        return false;
    }

    private static int IndexOf(Script script, string id)
    {
        for (var i = 0; i < script.Steps.Count; i++)
        {
            if (script.Steps[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }
}
