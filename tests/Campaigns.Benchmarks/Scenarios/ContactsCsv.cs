using System.Globalization;
using System.Text;

namespace Campaigns.Benchmarks.Scenarios;

/// <summary>
/// Writes a realistic contacts CSV: valid US phones in the formats people type them, first and
/// last names (some needing quotes, some not ASCII), unique emails, a custom field and, on most
/// rows, an IANA time zone. Deterministic: the same size gives the same file.
/// </summary>
internal static class ContactsCsv
{
    public const string Header = "phone,first_name,last_name,email,time_zone,major";

    // US area codes (all in service): the numbers are spread over them like a national list.
    private static readonly int[] AreaCodes =
    [
        201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228, 229, 231, 234, 239, 240,
        248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281, 301, 302, 303, 304, 305, 307, 308, 309, 310, 312, 313, 314,
        315, 316, 317, 318, 319, 320, 321, 323, 325, 330, 334, 336, 337, 339, 347, 352, 360, 361, 386, 401, 402, 404, 405, 406, 407,
        408, 409, 410, 412, 413, 414, 415, 417, 419, 423, 424, 425, 432, 434, 435, 440, 443, 469, 478, 479, 480, 484, 501, 502, 503,
        504, 505, 507, 508, 509, 510, 512, 513, 515, 516, 517, 518, 520, 530, 540, 541, 559, 561, 562, 563, 570, 571, 573, 574, 575,
        580, 585, 586, 601, 602, 603, 605, 606, 607, 608, 609, 610, 612, 614, 615, 616, 617, 618, 619, 620, 623, 626, 630, 631, 636,
        641, 646, 650, 651, 660, 661, 662, 678, 701, 702, 703, 704, 706, 707, 708, 712, 713, 714, 715, 716, 717, 718, 719, 720, 724,
        727, 731, 732, 734, 740, 754, 757, 760, 763, 765, 770, 772, 773, 774, 775, 781, 785, 786, 801, 802, 803, 804, 805, 806, 808,
        810, 812, 813, 814, 815, 816, 817, 818, 828, 830, 831, 832, 843, 845, 847, 850, 856, 857, 858, 859, 860, 862, 863, 864, 865,
        870, 901, 903, 904, 906, 907, 908, 909, 910, 912, 913, 914, 915, 916, 917, 918, 919, 920, 925, 928, 931, 936, 937, 940, 941,
        949, 951, 952, 954, 956, 970, 971, 972, 973, 978, 979, 985, 989,
    ];

    private static readonly int[] Exchanges = [.. Enumerable.Range(200, 800).Where(e => e % 100 != 11)];

    private static readonly string[] FirstNames =
    [
        "Ada", "Grace", "Alan", "Maya", "Liam", "Olivia", "Noah", "Emma", "Mateo", "Sofia", "Aiden", "Zoe", "Ethan", "Chloe", "Lucas",
        "Amara", "Jamal", "Priya", "Wei", "Hana", "José", "Chloé", "Zoë", "Björn", "Nguyen", "Fatima", "Omar", "Isabella", "Kai", "Leah",
    ];

    // (as written in the file, as used in the email)
    private static readonly (string Name, string Slug)[] LastNames =
    [
        ("Lovelace", "lovelace"), ("Hopper", "hopper"), ("Turing", "turing"), ("Johnson", "johnson"), ("Williams", "williams"),
        ("García", "garcia"), ("Martínez", "martinez"), ("O'Brien", "obrien"), ("\"Smith, Jr.\"", "smith"), ("Nguyen", "nguyen"),
        ("Kim", "kim"), ("Patel", "patel"), ("Okafor", "okafor"), ("Rossi", "rossi"), ("Müller", "muller"), ("Cohen", "cohen"),
        ("Brown", "brown"), ("Davis", "davis"), ("Lopez", "lopez"), ("Wilson", "wilson"), ("Anderson", "anderson"), ("Thomas", "thomas"),
        ("Jackson", "jackson"), ("White", "white"), ("Harris", "harris"), ("\"De La Cruz, III\"", "delacruz"), ("Clark", "clark"),
    ];

    private static readonly string[] TimeZones =
        ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix", "America/Anchorage", "Pacific/Honolulu"];

    private static readonly string[] Majors =
    [
        "Mathematics", "Computer Science", "Biology", "Nursing", "History", "Psychology", "Economics", "\"Art, Design and Media\"",
        "Mechanical Engineering", "Undeclared", string.Empty, "Chemistry",
    ];

    /// <summary>Row <paramref name="i"/>'s phone as E.164, unique per row up to a few million rows.</summary>
    public static string E164(int i)
    {
        var (area, exchange, line) = Number(i);
        return string.Create(CultureInfo.InvariantCulture, $"+1{area}{exchange}{line:0000}");
    }

    private static (int Area, int Exchange, int Line) Number(int i)
    {
        var rest = i / AreaCodes.Length;
        var area = AreaCodes[i % AreaCodes.Length];
        var exchange = Exchanges[rest % Exchanges.Length];
        // 37 is coprime with 10,000, so each (area, exchange) gets distinct lines.
        var line = ((rest / Exchanges.Length * 37) + (i % AreaCodes.Length * 13)) % 10_000;
        return (area, exchange, line);
    }

    /// <summary>Row <paramref name="i"/> as the importer stores it: E.164 phone, unquoted names, lower-case email, zone, major (empty when none).</summary>
    public static (string Phone, string FirstName, string LastName, string Email, string? TimeZone, string Major) Values(int i)
    {
        var first = FirstNames[i % FirstNames.Length];
        var (last, slug) = LastNames[i / 7 % LastNames.Length];
        var email = string.Create(CultureInfo.InvariantCulture, $"{RemoveDiacritics(first).ToLowerInvariant()}.{slug}{i}@{(i % 3 == 0 ? "students.example.edu" : "example.com")}");
        var zone = i % 10 < 3 ? null : TimeZones[i % TimeZones.Length];
        return (E164(i), first, last.Trim('"'), email, zone, Majors[i / 3 % Majors.Length].Trim('"'));
    }

    public static string Row(int i)
    {
        var (area, exchange, line) = Number(i);
        var phone = (i % 4) switch
        {
            0 => string.Create(CultureInfo.InvariantCulture, $"({area}) {exchange}-{line:0000}"),
            1 => string.Create(CultureInfo.InvariantCulture, $"{area}-{exchange}-{line:0000}"),
            2 => string.Create(CultureInfo.InvariantCulture, $"+1 {area} {exchange} {line:0000}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{area}{exchange}{line:0000}"),
        };
        var first = FirstNames[i % FirstNames.Length];
        var (last, slug) = LastNames[i / 7 % LastNames.Length];
        var email = string.Create(CultureInfo.InvariantCulture, $"{RemoveDiacritics(first).ToLowerInvariant()}.{slug}{i}@{(i % 3 == 0 ? "students.example.edu" : "example.com")}");
        var zone = i % 10 < 3 ? string.Empty : TimeZones[i % TimeZones.Length];
        var major = Majors[i / 3 % Majors.Length];
        return $"{phone},{first},{last},{email},{zone},{major}";
    }

    /// <summary>Writes <paramref name="rows"/> rows after the header; returns the file's size in bytes.</summary>
    public static async Task<long> WriteAsync(string path, int rows, CancellationToken cancellationToken)
    {
        await using (var file = new StreamWriter(path, false, new UTF8Encoding(false), bufferSize: 1 << 16))
        {
            await file.WriteLineAsync(Header);
            for (var i = 0; i < rows; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await file.WriteLineAsync(Row(i));
            }
        }

        return new FileInfo(path).Length;
    }

    private static string RemoveDiacritics(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var kept = decomposed.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark);
        return new string([.. kept]);
    }
}
