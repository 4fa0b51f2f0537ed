using Campaigns.Campaigns;
using Campaigns.Channels;
using Campaigns.Contacts;
using Campaigns.Grains;
using Campaigns.Hosting;
using Campaigns.Scripts;
using Campaigns.Storage;
using Campaigns.Tenants;
using Campaigns.Validation;
using Microsoft.Extensions.Options;
using PhoneNumbers;

namespace Campaigns;

/// <summary>
/// The SDK for host apps: everything the HTTP API does, in C#. Every call names its tenant; the
/// tenant travels with each grain call and a grain of another tenant refuses it. Bad input throws
/// <see cref="CampaignsValidationException"/> naming every problem, and changes nothing.
/// </summary>
public sealed partial class CampaignsClient
{
    private readonly IGrainFactory _grains;
    private readonly ICampaignStore _store;
    private readonly ChannelDispatcher _dispatcher;
    private readonly ContactImporter _importer;
    private readonly TimeProvider _clock;
    private readonly int _invalidPhoneAfterFailures;

    internal CampaignsClient(IGrainFactory grains, ICampaignStore store, ChannelDispatcher dispatcher, IOptions<CampaignsOptions> options)
    {
        _grains = grains;
        _store = store;
        _dispatcher = dispatcher;
        _clock = options.Value.TimeProvider;
        _invalidPhoneAfterFailures = options.Value.InvalidPhoneAfterFailures;
        _importer = new ContactImporter(store, _clock);
    }

    // Sets the tenant in the current async flow: every public method that calls this is async, so the
    // setting ends with the method and never leaks into the host's own later grain calls.
    private ITenantGrain TenantGrain(TenantId tenant)
    {
        TenantContext.Set(tenant);
        return _grains.GetGrain<ITenantGrain>(tenant.Value);
    }

    private async Task<Tenant> RequireTenantAsync(TenantId tenant) =>
        await TenantGrain(tenant).Get() ?? throw new NotFoundException($"Tenant '{tenant}' was not found.");

    /// <summary>Creates or replaces a tenant; returns it and whether it was created.</summary>
    public async Task<(Tenant Tenant, bool Created)> PutTenantAsync(TenantId tenant, TenantSettings settings)
    {
        (await CheckTenantAsync(tenant, settings)).ThrowIfAny();
        var grain = TenantGrain(tenant);
        var created = await grain.Put(settings);
        return ((await grain.Get())!, created);
    }

    /// <summary>Every problem of a tenant's settings, changing nothing (the HTTP layer reports them with the body's own).</summary>
    internal async Task<ValidationErrors> CheckTenantAsync(TenantId tenant, TenantSettings settings)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(settings.DisplayName))
        {
            errors.Add("displayName", "A display name is required.");
        }

        CheckText(errors, "displayName", settings.DisplayName, MaxNameLength);
        CheckText(errors, "helpText", settings.HelpText, MaxHelpTextLength);

        // The engine reads zones from NodaTime's tz database; the system's TimeZoneInfo would also take Windows ids.
        if (Scheduling.RecurrenceRules.Zone(settings.TimeZone) is null)
        {
            errors.Add("timeZone", $"'{settings.TimeZone}' is not an IANA time zone (for example America/New_York).");
        }

        if (!PhoneNumberUtil.GetInstance().GetSupportedRegions().Contains(settings.DefaultRegion ?? string.Empty))
        {
            errors.Add("defaultRegion", $"'{settings.DefaultRegion}' is not an ISO 3166 region code that phone numbers can be parsed for.");
        }

        CheckSendingHours(settings.EffectiveSendingHours, errors);
        foreach (var (field, scriptId) in new[] { ("introScripts.webchat", settings.IntroScripts?.Webchat), ("introScripts.openBotSms", settings.IntroScripts?.OpenBotSms) })
        {
            if (scriptId is not null && await _store.GetScriptAsync(tenant, scriptId) is null)
            {
                errors.Add(field, $"'{scriptId}' is not a script of this tenant.");
            }
        }

        return errors;
    }

    private static void CheckSendingHours(SendingHours hours, ValidationErrors errors)
    {
        static TimeSpan? Parse(string? value) =>
            value == "24:00" ? TimeSpan.FromHours(24)
            : TimeOnly.TryParseExact(value, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var t) ? t.ToTimeSpan() : null;

        var start = Parse(hours.Start);
        var end = Parse(hours.End);
        if (start is null || start == TimeSpan.FromHours(24))
        {
            errors.Add("sendingHours.start", $"'{hours.Start}' is not a time of day (HH:mm).");
        }

        if (end is null)
        {
            errors.Add("sendingHours.end", $"'{hours.End}' is not a time of day (HH:mm, or 24:00).");
        }

        if (start is not null && end is not null && start >= end)
        {
            errors.Add("sendingHours", "The start must be before the end.");
        }
    }

    /// <summary>Reads a tenant, or null.</summary>
    public async Task<Tenant?> GetTenantAsync(TenantId tenant) => await TenantGrain(tenant).Get();

    /// <summary>Issues an API key for a tenant; the key is in the result this once.</summary>
    public async Task<IssuedApiKey> IssueApiKeyAsync(TenantId tenant, string name)
    {
        await RequireTenantAsync(tenant);
        var errors = new ValidationErrors();
        CheckText(errors, "name", name, MaxNameLength);
        errors.ThrowIfAny();
        return await TenantGrain(tenant).IssueKey(string.IsNullOrWhiteSpace(name) ? "api key" : name.Trim());
    }

    /// <summary>Lists a tenant's API keys (never their secrets).</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(TenantId tenant) => await TenantGrain(tenant).ListKeys();

    /// <summary>Revokes an API key; false when the tenant has no such key.</summary>
    public async Task<bool> RevokeApiKeyAsync(TenantId tenant, string keyId) => await TenantGrain(tenant).RevokeKey(keyId);

    /// <summary>Whether <paramref name="key"/> is a live API key of the tenant.</summary>
    public async Task<bool> VerifyApiKeyAsync(TenantId tenant, string key) => await TenantGrain(tenant).VerifyKey(key);

    /// <summary>The providers this host can send through, with the settings they take.</summary>
    public IEnumerable<ProviderDescriptor> Providers => _dispatcher.Providers.Select(p => p.Descriptor);

    /// <summary>
    /// Sets a tenant's provider for a channel. A secret setting left out, or sent as <see cref="MaskedSecret"/>,
    /// keeps its stored value (for the same provider).
    /// </summary>
    public async Task SetChannelAsync(TenantId tenant, ChannelKind channel, string provider, IReadOnlyDictionary<string, string> settings)
    {
        await RequireTenantAsync(tenant);
        var (errors, configuration) = await CheckChannelAsync(tenant, channel, provider, settings);
        errors.ThrowIfAny();
        await TenantGrain(tenant).SetChannel(channel, configuration!);
    }

    /// <summary>
    /// Every problem of a channel's provider and settings, changing nothing; with none, the configuration
    /// to store (secrets left out keep their stored values). A null <paramref name="channel"/> is one that
    /// could not be read: the settings are still checked against the provider.
    /// </summary>
    internal async Task<(ValidationErrors Errors, ChannelConfiguration? Configuration)> CheckChannelAsync(
        TenantId tenant, ChannelKind? channel, string? provider, IReadOnlyDictionary<string, string> settings)
    {
        var errors = new ValidationErrors();
        foreach (var (name, value) in settings)
        {
            if (name.Length > MaxNameLength || name.Any(char.IsControl))
            {
                errors.Add("settings", $"'{(name.Length <= 60 ? name : name[..60] + "…")}' cannot be a setting name: at most {MaxNameLength} characters, without control characters.");
            }
            else
            {
                CheckText(errors, $"settings.{name}", value, MaxSettingValueLength);
            }
        }

        if (_dispatcher.Find(provider ?? string.Empty) is not { } p)
        {
            errors.Add("provider", $"'{provider}' is not a provider of this host: use one of {string.Join(", ", _dispatcher.Providers.Select(x => x.Descriptor.Name))}.");
            return (errors, null);
        }

        if (channel is { } kind && !p.Descriptor.Channels.Contains(kind))
        {
            errors.Add("provider", $"'{provider}' does not carry the {kind.ToName()} channel.");
        }

        var current = await TenantGrain(tenant).GetChannels();
        var existing = channel is { } known && current.TryGetValue(known, out var stored) && stored.Provider == provider ? stored : null;
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in settings)
        {
            if (value == MaskedSecret)
            {
                // The mask GET /channels shows stands for the stored value: a client that sends back what it
                // read keeps the secret instead of overwriting it with the mask. Nothing stored: not given.
                if (existing is not null && existing.Settings.TryGetValue(name, out var kept))
                {
                    merged[name] = kept;
                }

                continue;
            }

            merged[name] = value;
        }

        if (existing is not null)
        {
            foreach (var secret in p.Descriptor.Settings.Where(s => s.Secret && !merged.ContainsKey(s.Name) && existing.Settings.ContainsKey(s.Name)))
            {
                merged[secret.Name] = existing.Settings[secret.Name];
            }
        }

        foreach (var problem in p.Validate(merged))
        {
            errors.Add("settings", problem);
        }

        return (errors, errors.IsEmpty ? new ChannelConfiguration(p.Descriptor.Name, merged) : null);
    }

    /// <summary>What <see cref="GetChannelsAsync"/> shows for a secret; sent back to <see cref="SetChannelAsync"/>, it keeps the stored value.</summary>
    public const string MaskedSecret = "********";

    /// <summary>
    /// A tenant's channels with secret settings masked. A provider this host no longer has cannot say
    /// which of its settings are secret, so all of them are masked.
    /// </summary>
    public async Task<IReadOnlyDictionary<ChannelKind, ChannelConfiguration>> GetChannelsAsync(TenantId tenant)
    {
        var channels = await TenantGrain(tenant).GetChannels();
        return channels.ToDictionary(c => c.Key, c =>
        {
            var descriptor = _dispatcher.Find(c.Value.Provider)?.Descriptor;
            var secrets = descriptor?.Settings.Where(s => s.Secret).Select(s => s.Name).ToHashSet() ?? [];
            return c.Value with { Settings = c.Value.Settings.ToDictionary(s => s.Key, s => descriptor is null || secrets.Contains(s.Key) ? MaskedSecret : s.Value) };
        });
    }

    /// <summary>Imports contacts from a CSV stream (see the API's import rules).</summary>
    public async Task<ImportResult> ImportContactsAsync(TenantId tenant, Stream csv, string? label = null, CancellationToken cancellationToken = default)
    {
        var settings = (await RequireTenantAsync(tenant)).Settings;
        if (label is not null && (label.Length > 200 || string.IsNullOrWhiteSpace(label)))
        {
            throw new CampaignsValidationException("label", "A label is 1 to 200 characters.");
        }

        return await _importer.ImportAsync(tenant, settings.DefaultRegion, csv, label?.Trim(), cancellationToken);
    }

    /// <summary>Reads a contact, or null.</summary>
    public Task<Contact?> GetContactAsync(TenantId tenant, string contactId) => _store.GetContactAsync(tenant, contactId);

    /// <summary>The clock the SDK reads (so the API shows a pause that has ended as opted in, as a campaign would).</summary>
    internal TimeProvider Clock => _clock;

    /// <summary>Validates and saves a script.</summary>
    public async Task<Script> CreateScriptAsync(TenantId tenant, ScriptDraft draft)
    {
        await RequireTenantAsync(tenant);
        var script = ScriptValidator.Validate("scr_" + Guid.NewGuid().ToString("N")[..16], draft);
        await _store.AddScriptAsync(tenant, script, _clock.GetUtcNow());
        return script;
    }

    /// <summary>Reads a script, or null.</summary>
    public Task<Script?> GetScriptAsync(TenantId tenant, string scriptId) => _store.GetScriptAsync(tenant, scriptId);

    /// <summary>Lists a tenant's scripts.</summary>
    public Task<IReadOnlyList<Script>> ListScriptsAsync(TenantId tenant) => _store.ListScriptsAsync(tenant);

    /// <summary>Creates a campaign: it sends now, at its time, or on a recurring schedule. Returns its id (for a recurring one, the schedule's).</summary>
    public async Task<string> CreateCampaignAsync(TenantId tenant, CampaignRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await RequireTenantAsync(tenant);
        var (errors, script) = await CheckCampaignAsync(tenant, request);
        errors.ThrowIfAny();
        request = request with { Name = request.Name.Trim(), Description = request.Description?.Trim() ?? string.Empty };
        if (request.Schedule.Kind == ScheduleKind.Recurring)
        {
            return await CreateScheduleAsync(tenant, request, script!);
        }

        var campaignId = "cmp_" + Guid.NewGuid().ToString("N")[..16];
        TenantContext.Set(tenant);
        await _grains.GetGrain<ICampaignGrain>(tenant.Key(campaignId)).Create(request, script!);
        return campaignId;
    }

    /// <summary>
    /// Every problem of a campaign request, changing nothing (the HTTP layer reports them with the body's
    /// own); with none, the script it sends. A null recipients or schedule is reported as missing.
    /// </summary>
    internal async Task<(ValidationErrors Errors, Script? Script)> CheckCampaignAsync(TenantId tenant, CampaignRequest request)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            errors.Add("name", "A name is required.");
        }

        var script = string.IsNullOrEmpty(request.ScriptId) ? null : await _store.GetScriptAsync(tenant, request.ScriptId);
        if (script is null)
        {
            errors.Add("scriptId", $"'{request.ScriptId}' is not a script of this tenant.");
        }

        switch (request.Recipients)
        {
            case { ImportId: { } importId, AudienceId: null }:
                if (!await _store.ImportExistsAsync(tenant, importId))
                {
                    errors.Add("recipients.importId", $"'{importId}' is not an import of this tenant.");
                }

                break;
            case { ImportId: null, AudienceId: { } audienceId }:
                if (await _store.GetAudienceAsync(tenant, audienceId) is null)
                {
                    errors.Add("recipients.audienceId", $"'{audienceId}' is not an audience of this tenant.");
                }

                break;
            default:
                errors.Add("recipients", "Give either an importId or an audienceId.");
                break;
        }

        if (request.Schedule is null)
        {
            errors.Add("schedule", "A schedule is required: now, once or recurring.");
        }
        else if (request.Schedule.Kind == ScheduleKind.Once && (request.Schedule.SendAt is not { } sendAt || sendAt <= _clock.GetUtcNow()))
        {
            errors.Add("schedule.sendAt", "A one-time send needs a sendAt in the future.");
        }
        else
        {
            CheckRecurrence(request.Schedule, errors);
        }

        if (request.DurationHours is < 1 or > 24 * 365)
        {
            errors.Add("durationHours", "The duration is 1 to 8760 hours.");
        }

        CheckReminder(request, script, errors);

        if (_dispatcher.Resolve(await TenantGrain(tenant).GetChannels(), request.Channel) is null)
        {
            errors.Add("channel", $"The tenant has no provider for the {request.Channel.ToName()} channel: set one with PUT /channels/{request.Channel.ToName()}.");
        }

        return (errors, script);
    }

    /// <summary>Reads a campaign, or null.</summary>
    public async Task<CampaignDetails?> GetCampaignAsync(TenantId tenant, string campaignId) =>
        await GetCampaignGrainStateAsync(tenant, campaignId) ?? await UpcomingInstanceAsync(tenant, campaignId);

    /// <summary>Cancels an upcoming send (again: no change); throws <see cref="ConflictException"/> once it started.</summary>
    public async Task CancelCampaignAsync(TenantId tenant, string campaignId)
    {
        if (await TryCancelScheduledAsync(tenant, campaignId))
        {
            return;
        }

        TenantContext.Set(tenant);
        await _grains.GetGrain<ICampaignGrain>(tenant.Key(campaignId)).Cancel();
    }

    /// <summary>One page of the campaign list.</summary>
    public async Task<CampaignListPage> ListCampaignsAsync(TenantId tenant, CampaignListQuery query)
    {
        TenantContext.Set(tenant);
        return await _grains.GetGrain<ITenantIndexGrain>(tenant.Value).Query(query);
    }

    /// <summary>The instant a tenant's local day starts (for date-only filters).</summary>
    public async Task<DateTimeOffset> StartOfDayAsync(TenantId tenant, DateOnly day)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById((await RequireTenantAsync(tenant)).Settings.TimeZone);
        var local = day.ToDateTime(TimeOnly.MinValue);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>
    /// Records a carrier delivery report for a message the tenant sent. A report names its message by the
    /// client reference the message left with (<see cref="ClientReference"/>; Vonage's <c>client_ref</c>)
    /// and the provider's message id. Returns false, changing nothing, for a reference that is not a
    /// campaign message of this tenant, a missing message id or one that is not the one its fact holds, a message that
    /// never left, or a report that repeats the recorded status.
    /// </summary>
    public async Task<bool> RecordDeliveryAsync(TenantId tenant, string clientReference, string messageId, bool delivered, string? reason)
    {
        if (string.IsNullOrEmpty(messageId) || !ClientReference.TryParse(clientReference, out var campaignId, out var contactId))
        {
            return false;
        }

        var fact = await _store.RecordDeliveryAsync(tenant, campaignId, contactId, messageId, delivered, reason, _clock.GetUtcNow());
        if (fact is { Channel: ChannelKind.Sms, Address: { } phone })
        {
            // Consecutive carrier failures flag the phone invalid; campaigns then skip it until an import gives a new one.
            await _store.RecordPhoneDeliveryAsync(tenant, fact.ContactId, phone, delivered, _invalidPhoneAfterFailures);
        }

        return fact is not null;
    }
}
