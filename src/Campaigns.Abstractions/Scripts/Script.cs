namespace Campaigns.Scripts;

/// <summary>A template message or short conversation. Interactive when any step asks a question.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.Script")]
public sealed record Script(string ScriptId, string Name, string Description, IReadOnlyList<ScriptStep> Steps)
{
    /// <summary>Interactive when any step is a question, nudge otherwise.</summary>
    public ScriptType Type => Steps.Any(s => s.Kind.IsQuestion()) ? ScriptType.Interactive : ScriptType.Nudge;
}

/// <summary>One step of a script. <see cref="Next"/> maps an answer (<c>yes</c>, <c>no</c>, a choice, or <c>*</c>) to a step id.</summary>
[GenerateSerializer, Immutable, Alias("Campaigns.ScriptStep")]
public sealed record ScriptStep(
    string Id,
    StepKind Kind,
    string Text,
    IReadOnlyList<string>? Choices = null,
    IReadOnlyDictionary<string, string>? Next = null);

/// <summary>What a step does.</summary>
public enum StepKind
{
    /// <summary>Says something; asks nothing.</summary>
    Message,

    /// <summary>Asks a yes/no question.</summary>
    YesNo,

    /// <summary>Asks the contact to pick one of <see cref="ScriptStep.Choices"/>.</summary>
    MultipleChoice,

    /// <summary>Asks for free text.</summary>
    OpenText,
}

/// <summary>Whether a script asks anything.</summary>
public enum ScriptType
{
    /// <summary>Asks at least one question.</summary>
    Interactive,

    /// <summary>One-way messages only.</summary>
    Nudge,
}

/// <summary>Names of step kinds and script types as they appear in the API.</summary>
public static class ScriptNames
{
    /// <summary>Whether the step asks a question.</summary>
    public static bool IsQuestion(this StepKind kind) => kind != StepKind.Message;

    /// <summary>Reads an API step kind.</summary>
    public static bool TryParseKind(string? value, out StepKind kind)
    {
        switch (value)
        {
            case "message": kind = StepKind.Message; return true;
            case "yesNo": kind = StepKind.YesNo; return true;
            case "multipleChoice": kind = StepKind.MultipleChoice; return true;
            case "openText": kind = StepKind.OpenText; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>The API name of a step kind.</summary>
    public static string ToName(this StepKind kind) => kind switch
    {
        StepKind.Message => "message",
        StepKind.YesNo => "yesNo",
        StepKind.MultipleChoice => "multipleChoice",
        StepKind.OpenText => "openText",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The API name of a script type.</summary>
    public static string ToName(this ScriptType type) => type == ScriptType.Interactive ? "interactive" : "nudge";
}
