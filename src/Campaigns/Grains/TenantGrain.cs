using System.Security.Cryptography;
using System.Text;
using Campaigns.Channels;
using Campaigns.Hosting;
using Campaigns.Tenants;
using Microsoft.Extensions.Options;

namespace Campaigns.Grains;

[GenerateSerializer, Alias("Campaigns.TenantState")]
internal sealed class TenantState
{
    [Id(0)] public TenantSettings? Settings { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public List<StoredApiKey> Keys { get; set; } = [];
    [Id(3)] public Dictionary<ChannelKind, ChannelConfiguration> Channels { get; set; } = [];
}

[GenerateSerializer, Alias("Campaigns.StoredApiKey")]
internal sealed record StoredApiKey(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Name,
    [property: Id(2)] byte[] SecretHash,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? RevokedAt);

internal sealed class TenantGrain(
    [PersistentState("tenant", CampaignsDefaults.StorageName)] IPersistentState<TenantState> state,
    IOptions<CampaignsOptions> options) : Grain, ITenantGrain, ITenantOwned
{
    private const string KeyPrefix = "cmpk";

    private TenantId? _owner;

    // Parsed once per activation: the tenant guard reads it on every call.
    public TenantId Owner => _owner ??= TenantId.Parse(this.GetPrimaryKeyString());

    private DateTimeOffset Now => options.Value.TimeProvider.GetUtcNow();

    public Task<Tenant?> Get() =>
        Task.FromResult(state.State.Settings is { } s ? new Tenant(Owner, s, state.State.CreatedAt) : null);

    public async Task<bool> Put(TenantSettings settings)
    {
        var created = state.State.Settings is null;
        if (created)
        {
            state.State.CreatedAt = Now;
        }

        state.State.Settings = settings;
        await state.WriteStateAsync();
        return created;
    }

    public async Task<IssuedApiKey> IssueKey(string name)
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(24));
        var stored = new StoredApiKey(keyId, name, Hash(secret), Now, null);
        state.State.Keys.Add(stored);
        await state.WriteStateAsync();
        return new IssuedApiKey(keyId, name, $"{KeyPrefix}_{Owner.Value}.{keyId}.{secret}", stored.CreatedAt);
    }

    public Task<IReadOnlyList<ApiKeyInfo>> ListKeys() =>
        Task.FromResult<IReadOnlyList<ApiKeyInfo>>(state.State.Keys.Select(k => new ApiKeyInfo(k.KeyId, k.Name, k.CreatedAt, k.RevokedAt)).ToList());

    public async Task<bool> RevokeKey(string keyId)
    {
        var index = state.State.Keys.FindIndex(k => k.KeyId == keyId);
        if (index < 0)
        {
            return false;
        }

        if (state.State.Keys[index].RevokedAt is null)
        {
            state.State.Keys[index] = state.State.Keys[index] with { RevokedAt = Now };
            await state.WriteStateAsync();
        }

        return true;
    }

    public Task<bool> VerifyKey(string key)
    {
        // cmpk_{tenant}.{keyId}.{secret}
        var parts = key.Split('.');
        if (parts.Length != 3 || parts[0] != $"{KeyPrefix}_{Owner.Value}")
        {
            return Task.FromResult(false);
        }

        var stored = state.State.Keys.Find(k => k.KeyId == parts[1]);
        return Task.FromResult(stored is { RevokedAt: null } && CryptographicOperations.FixedTimeEquals(stored.SecretHash, Hash(parts[2])));
    }

    public async Task SetChannel(ChannelKind channel, ChannelConfiguration configuration)
    {
        state.State.Channels[channel] = configuration;
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyDictionary<ChannelKind, ChannelConfiguration>> GetChannels() =>
        Task.FromResult<IReadOnlyDictionary<ChannelKind, ChannelConfiguration>>(new Dictionary<ChannelKind, ChannelConfiguration>(state.State.Channels));

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
