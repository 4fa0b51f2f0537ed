using Campaigns.Contacts;

namespace Campaigns.Storage;

public sealed partial class SqliteCampaignStore
{
    /// <inheritdoc />
    public async Task<bool> SetArchivedAsync(TenantId tenant, string contactId, bool archived, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE contacts SET archived = $a WHERE tenant_id = $t AND contact_id = $c";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$c", contactId);
        command.Parameters.AddWithValue("$a", archived ? 1 : 0);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc />
    public async Task<Contact?> RecordPhoneDeliveryAsync(TenantId tenant, string contactId, string phone, bool delivered, int invalidAfter, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE contacts SET
              failure_count = CASE WHEN $delivered THEN 0 ELSE failure_count + 1 END,
              invalid_phone = CASE WHEN $delivered THEN 0 WHEN failure_count + 1 >= $n THEN 1 ELSE invalid_phone END
            WHERE tenant_id = $t AND contact_id = $c AND phone = $p
            RETURNING {ContactColumns.Replace("c.", string.Empty, StringComparison.Ordinal)}
            """;
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$c", contactId);
        command.Parameters.AddWithValue("$p", phone);
        command.Parameters.AddWithValue("$delivered", delivered ? 1 : 0);
        command.Parameters.AddWithValue("$n", invalidAfter);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadContact(reader) : null;
    }

    /// <inheritdoc />
    public async Task<ImportSummary?> GetImportAsync(TenantId tenant, string importId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT label, created_at, created, updated, skipped FROM imports WHERE tenant_id = $t AND import_id = $i";
        command.Parameters.AddWithValue("$t", tenant.Value);
        command.Parameters.AddWithValue("$i", importId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ImportSummary(importId, NullableString(reader, 0), FromUnixMs(reader.GetInt64(1)), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4))
            : null;
    }
}
