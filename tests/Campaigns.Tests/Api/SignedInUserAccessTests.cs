using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Campaigns.AspNetCore;
using Campaigns.Tenants;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Campaigns.Tests.Api;

/// <summary>The host's hook that maps its signed-in users to tenants.</summary>
public sealed class SignedInUserAccessTests : IAsyncLifetime
{
    private readonly UserApp _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_user_the_host_maps_to_a_tenant_is_served_and_others_get_not_found()
    {
        await _app.Campaigns.PutTenantAsync(TenantId.Parse("uni-x"), new TenantSettings("X", "America/Chicago"));
        await _app.Campaigns.PutTenantAsync(TenantId.Parse("uni-y"), new TenantSettings("Y", "America/Chicago"));
        var http = _app.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/tenants/uni-x")).StatusCode);

        http.DefaultRequestHeaders.Add(HeaderUserHandler.Header, "uni-x");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/tenants/uni-x")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/tenants/uni-y")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/tenants/uni-y/scripts")).StatusCode);
    }

    private sealed class UserApp : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>
    {
        private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "campaigns-user-" + Guid.NewGuid().ToString("N"));

        public CampaignsClient Campaigns => Services.GetRequiredService<CampaignsClient>();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Campaigns:DataPath", _dataPath);
            builder.ConfigureServices(services =>
            {
                services.AddAuthentication(HeaderUserHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(HeaderUserHandler.SchemeName, null);
                services.Configure<CampaignsApiOptions>(o => o.UserMayActFor = (user, tenant) => user.HasClaim("tenant", tenant.Value));
            });
        }
    }

    /// <summary>Signs in whoever sends the header, as a member of the tenant it names.</summary>
    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "header";
        public const string Header = "X-Test-Tenant";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(Header, out var tenant))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "staff"), new Claim("tenant", tenant.ToString())], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
