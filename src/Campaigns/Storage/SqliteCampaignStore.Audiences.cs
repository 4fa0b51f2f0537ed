using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Campaigns.Contacts;
using Microsoft.Data.Sqlite;

namespace Campaigns.Storage;

public sealed partial class SqliteCampaignStore
{
    /// <summary>Member ids read per query when streaming an audience: short reads, never a transaction held open over the whole table.</summary>
    private const int MemberIdPageSize = 5000;

    /// <summary>The contact columns a default field of an audience rule reads.</summary>
    private static readonly Dictionary<string, string> RuleColumns = new(StringComparer.Ordinal)
    {
        ["firstName"] = "c.first_name",
        ["lastName"] = "c.last_name",
        ["phone"] = "c.phone",
        ["email"] = "c.email",
        ["timeZone"] = "c.time_zone",
        ["externalId"] = "c.external_id",
    };

    /// <inheritdoc />
    public async Task<bool> AddAudienceAsync(TenantId tenant, Audience audience, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO audiences (tenant_id, audience_id, name, name_key, rules, created_at) VALUES ($t, $a, $n, $k, $r, $at)
            ON CONFLICT DO NOTHING
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$a", audience.AudienceId);
        command.Parameters.AddWithValue("$n", audience.Name);
        command.Parameters.AddWithValue("$k", audience.Name.ToUpperInvariant());
        command.Parameters.AddWithValue("$r", JsonSerializer.Serialize(audience.Rules, Json));
        command.Parameters.AddWithValue("$at", ToUnixMs(audience.CreatedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task<Audience?> GetAudienceAsync(TenantId tenant, string audienceId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT audience_id, name, rules, created_at FROM audiences WHERE tenant_id = $t AND audience_id = $a";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$a", audienceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadAudience(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Audience>> ListAudiencesAsync(TenantId tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT audience_id, name, rules, created_at FROM audiences WHERE tenant_id = $t ORDER BY created_at, audience_id";
        command.Parameters.AddWithValue("$t", tenant.Value);
        var audiences = new List<Audience>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            audiences.Add(ReadAudience(reader));
        }

        return audiences;
    }

    private static Audience ReadAudience(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        JsonSerializer.Deserialize<List<AudienceRule>>(reader.GetString(2), Json) ?? [],
        FromUnixMs(reader.GetInt64(3)));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Contact>> GetAudienceContactsAsync(TenantId tenant, IReadOnlyList<AudienceRule> rules, string? afterContactId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAudienceConnectionAsync(cancellationToken);
        await using var command = AudienceCommand(connection, tenant, rules, $"SELECT {ContactColumns} FROM contacts c", " AND c.contact_id > $after ORDER BY c.contact_id LIMIT $limit");
        command.Parameters.AddWithValue("$after", afterContactId ?? string.Empty);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadContactsAsync(command, limit, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<int> CountAudienceAsync(TenantId tenant, IReadOnlyList<AudienceRule> rules, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAudienceConnectionAsync(cancellationToken);
        await using var command = AudienceCommand(connection, tenant, rules, "SELECT COUNT(*) FROM contacts c", string.Empty);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Contact>> GetAudiencePageAsync(TenantId tenant, IReadOnlyList<AudienceRule> rules, int offset, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAudienceConnectionAsync(cancellationToken);
        await using var command = AudienceCommand(connection, tenant, rules, $"SELECT {ContactColumns} FROM contacts c", " ORDER BY c.contact_id LIMIT $limit OFFSET $offset");
        command.Parameters.AddWithValue("$offset", offset);
        command.Parameters.AddWithValue("$limit", limit);
        return await ReadContactsAsync(command, limit, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ReadAudienceMemberIdsAsync(TenantId tenant, IReadOnlyList<AudienceRule> rules, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = string.Empty;
        while (true)
        {
            var page = new List<string>(MemberIdPageSize);
            await using (var connection = await OpenAudienceConnectionAsync(cancellationToken))
            await using (var command = AudienceCommand(connection, tenant, rules, "SELECT c.contact_id FROM contacts c", " AND c.contact_id > $after ORDER BY c.contact_id LIMIT $limit"))
            {
                command.Parameters.AddWithValue("$after", after);
                command.Parameters.AddWithValue("$limit", MemberIdPageSize);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    page.Add(reader.GetString(0));
                }
            }

            foreach (var id in page)
            {
                yield return id;
            }

            if (page.Count < MemberIdPageSize)
            {
                yield break;
            }

            after = page[^1];
        }
    }

    private static async Task<IReadOnlyList<Contact>> ReadContactsAsync(SqliteCommand command, int limit, CancellationToken cancellationToken)
    {
        var contacts = new List<Contact>(Math.Min(limit, 1000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            contacts.Add(ReadContact(reader));
        }

        return contacts;
    }

    /// <summary>A connection that knows <c>campaigns_fold</c>, the case folding rules compare text with (SQLite's own <c>lower</c> folds ASCII only).</summary>
    private async Task<SqliteConnection> OpenAudienceConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        connection.CreateFunction("campaigns_fold", (string value) => value.ToUpperInvariant(), isDeterministic: true);
        return connection;
    }

    /// <summary>
    /// Builds <c>{select} WHERE tenant AND every rule{tail}</c>. Values travel as parameters; a custom
    /// field's name becomes a JSON path parameter, so nothing a user typed is spliced into the SQL.
    /// </summary>
    private static SqliteCommand AudienceCommand(SqliteConnection connection, TenantId tenant, IReadOnlyList<AudienceRule> rules, string select, string tail)
    {
        var command = connection.CreateCommand();
        var sql = new StringBuilder(select).Append(" WHERE c.tenant_id = $t");
        command.Parameters.AddWithValue("$t", tenant.Value);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var value = $"$v{i}";
            var folded = (rule.Value ?? string.Empty).ToUpperInvariant();
            command.Parameters.AddWithValue(value, folded);

            // Folding keeps the number of characters (one code point for one), so a text of another length
            // cannot equal the value: SQLite's own length() spares most rows the call into .NET.
            var length = $"$n{i}";
            command.Parameters.AddWithValue(length, folded.EnumerateRunes().Count());
            sql.Append(" AND (");
            if (rule.Field == "label")
            {
                sql.Append(rule.Op switch
                {
                    AudienceOperator.Is => $"EXISTS (SELECT 1 FROM json_each(c.labels) WHERE length(json_each.value) = {length} AND campaigns_fold(json_each.value) = {value})",
                    AudienceOperator.IsNot => $"NOT EXISTS (SELECT 1 FROM json_each(c.labels) WHERE length(json_each.value) = {length} AND campaigns_fold(json_each.value) = {value})",
                    AudienceOperator.Contains => $"EXISTS (SELECT 1 FROM json_each(c.labels) WHERE instr(campaigns_fold(json_each.value), {value}) > 0)",
                    AudienceOperator.Exists => "json_array_length(c.labels) > 0",
                    _ => "json_array_length(c.labels) = 0",
                });
            }
            else
            {
                string column;
                if (RuleColumns.TryGetValue(rule.Field, out var known))
                {
                    column = $"COALESCE({known}, '')";
                }
                else
                {
                    var path = $"$p{i}";
                    command.Parameters.AddWithValue(path, $"$.\"{rule.Field}\"");
                    column = $"COALESCE(json_extract(c.fields, {path}), '')";
                }

                sql.Append(rule.Op switch
                {
                    AudienceOperator.Is => $"length({column}) = {length} AND campaigns_fold({column}) = {value}",
                    AudienceOperator.IsNot => $"(length({column}) <> {length} OR campaigns_fold({column}) <> {value})",
                    AudienceOperator.Contains => $"instr(campaigns_fold({column}), {value}) > 0",
                    AudienceOperator.Exists => $"{column} <> ''",
                    _ => $"{column} = ''",
                });
            }

            sql.Append(')');
        }

        command.CommandText = sql.Append(tail).ToString();
        return command;
    }
}
